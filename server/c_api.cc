// The C interface (include/dynamo/dynamo_emu.h) over dynamo::Emulator.
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "dynamo/dynamo_emu.h"
#include "dynamo/emulator.h"
#include "server/api/faults.h"
#include "server/api/json.h"
#include "server/log.h"
#include "server/version.h"

#include <rapidjson/error/en.h>

struct dynamo_emu {
  std::unique_ptr<dynamo::Emulator> emulator;
  std::string endpoint;
};

namespace {

thread_local std::string last_error;

void Fail(std::string message) { last_error = std::move(message); }

// Copies an answer into malloc'd memory for the caller: its status, or -1
// when memory ran out.
int Hand(const dynamo::server::ApiResponse& answer, char** response, size_t* response_len) {
  char* copy = static_cast<char*>(std::malloc(answer.body.size() + 1));
  if (!copy) {
    Fail("out of memory");
    return -1;
  }
  std::memcpy(copy, answer.body.data(), answer.body.size());
  copy[answer.body.size()] = '\0';
  *response = copy;
  if (response_len) *response_len = answer.body.size();
  last_error.clear();
  return answer.status;
}

// One member of the options object, read into the matching option.
using OptionReader =
    std::function<bool(const rapidjson::Value&, dynamo::EmulatorOptions&, std::string*)>;

template <typename T, typename Field>
OptionReader Integer(Field dynamo::EmulatorOptions::*field, T min, T max) {
  return [=](const rapidjson::Value& v, dynamo::EmulatorOptions& o, std::string* error) {
    if (!v.IsInt64() || v.GetInt64() < static_cast<int64_t>(min) ||
        v.GetInt64() > static_cast<int64_t>(max)) {
      *error = "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max);
      return false;
    }
    o.*field = static_cast<Field>(v.GetInt64());
    return true;
  };
}

OptionReader Boolean(bool dynamo::EmulatorOptions::*field) {
  return [=](const rapidjson::Value& v, dynamo::EmulatorOptions& o, std::string* error) {
    if (!v.IsBool()) {
      *error = "must be true or false";
      return false;
    }
    o.*field = v.GetBool();
    return true;
  };
}

OptionReader Text(std::string dynamo::EmulatorOptions::*field) {
  return [=](const rapidjson::Value& v, dynamo::EmulatorOptions& o, std::string* error) {
    if (!v.IsString()) {
      *error = "must be a string";
      return false;
    }
    o.*field = std::string(v.GetString(), v.GetStringLength());
    return true;
  };
}

OptionReader Seconds(double dynamo::EmulatorOptions::*field) {
  return [=](const rapidjson::Value& v, dynamo::EmulatorOptions& o, std::string* error) {
    if (!v.IsNumber() || !(v.GetDouble() >= 0 && v.GetDouble() <= 31536000)) {
      *error = "must be a number of seconds from 0 to 31536000";
      return false;
    }
    o.*field = v.GetDouble();
    return true;
  };
}

// A list of strings, each handed to add.
OptionReader Strings(std::function<bool(std::string, dynamo::EmulatorOptions&, std::string*)> add) {
  return [=](const rapidjson::Value& v, dynamo::EmulatorOptions& o, std::string* error) {
    if (!v.IsArray()) {
      *error = "must be a list of strings";
      return false;
    }
    for (const auto& s : v.GetArray()) {
      if (!s.IsString()) {
        *error = "must be a list of strings";
        return false;
      }
      if (!add(std::string(s.GetString(), s.GetStringLength()), o, error)) return false;
    }
    return true;
  };
}

const std::pair<const char*, OptionReader>* FindOption(std::string_view name) {
  using O = dynamo::EmulatorOptions;
  static const std::pair<const char*, OptionReader> kOptions[] = {
      {"port", Integer(&O::port, 0, 65535)},
      {"host", Text(&O::host)},
      {"in_memory", Boolean(&O::in_memory)},
      {"db_path", Text(&O::db_path)},
      {"listen", Boolean(&O::listen)},
      {"shared_db", Boolean(&O::shared_db)},
      {"sync_full", Boolean(&O::sync_full)},
      {"threads", Integer(&O::threads, 0, 1024)},
      {"max_connections", Integer(&O::max_connections, 0, 1000000)},
      {"max_open_namespaces", Integer(&O::max_open_namespaces, 1, 100000)},
      {"transaction_hold_ms", Integer(&O::transaction_hold_ms, 0, 600000)},
      {"conflict_feed_size", Integer(&O::conflict_feed_size, 0, 100000)},
      {"auth_credentials", Text(&O::auth_credentials)},
      {"upkeep_interval_seconds", Seconds(&O::upkeep_interval_seconds)},
      {"stream_shard_records", Integer(&O::stream_shard_records, int64_t{0}, int64_t{1000000000})},
      {"stream_shard_seconds", Seconds(&O::stream_shard_seconds)},
      {"fault_seed", Integer(&O::fault_seed, uint64_t{0}, uint64_t{INT64_MAX})},
      {"cors_origins", Strings([](std::string origin, O& o, std::string*) {
         o.cors_origins.push_back(std::move(origin));
         return true;
       })},
      // Process-wide: the level of every emulator's log (stderr).
      {"log_level",
       [](const rapidjson::Value& v, O&, std::string* error) {
         dynamo::server::LogLevel level;
         if (!v.IsString() || !dynamo::server::ParseLogLevel(v.GetString(), &level)) {
           *error = "must be one of debug, info, warn, error, off";
           return false;
         }
         dynamo::server::SetLogLevel(level);
         return true;
       }},
      {"faults", Strings([](std::string spec, O& o, std::string* error) {
         auto rule = dynamo::server::ParseFaultSpec(spec);
         if (!rule.ok()) {
           *error = rule.error().message;
           return false;
         }
         o.faults.push_back(std::move(rule).value());
         return true;
       })},
  };
  for (const auto& option : kOptions) {
    if (name == option.first) return &option;
  }
  return nullptr;
}

// The options of options_json over the embedding defaults; false (and
// last_error) when they are not valid.
bool ReadOptions(const char* options_json, dynamo::EmulatorOptions* options) {
  options->port = 0;
  options->in_memory = true;
  if (!options_json) return true;
  rapidjson::Document doc;
  doc.Parse(options_json);
  if (doc.HasParseError()) {
    Fail(std::string("options are not JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()));
    return false;
  }
  if (!doc.IsObject()) {
    Fail("options must be a JSON object");
    return false;
  }
  for (const auto& m : doc.GetObject()) {
    const std::string name(m.name.GetString(), m.name.GetStringLength());
    const auto* option = FindOption(name);
    if (!option) {
      Fail("unknown option '" + name + "'");
      return false;
    }
    std::string error;
    if (!option->second(m.value, *options, &error)) {
      Fail("option '" + name + "' " + error);
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" {

int dynamo_emu_abi_version(void) { return DYNAMO_EMU_ABI_VERSION; }

const char* dynamo_emu_version(void) { return dynamo::server::kDynamoEmuVersion; }

dynamo_emu* dynamo_emu_start(const char* options_json) {
  try {
    dynamo::EmulatorOptions options;
    if (!ReadOptions(options_json, &options)) return nullptr;
    auto started = dynamo::Emulator::Start(options);
    if (!started.ok()) {
      Fail(started.error().message);
      return nullptr;
    }
    auto handle = std::make_unique<dynamo_emu>();
    handle->emulator = std::move(started).value();
    handle->endpoint = handle->emulator->endpoint();
    last_error.clear();
    return handle.release();
  } catch (const std::exception& e) {
    Fail(std::string("cannot start: ") + e.what());
  } catch (...) {
    Fail("cannot start");
  }
  return nullptr;
}

int dynamo_emu_port(const dynamo_emu* emu) { return emu ? emu->emulator->port() : 0; }

const char* dynamo_emu_endpoint(const dynamo_emu* emu) { return emu ? emu->endpoint.c_str() : ""; }

int dynamo_emu_dispatch(dynamo_emu* emu, const char* operation, const char* body, size_t body_len,
                        const char* access_key, const char* region, char** response,
                        size_t* response_len) {
  if (response) *response = nullptr;
  if (!emu || !operation || (!body && body_len) || !response) {
    Fail("dynamo_emu_dispatch: emu, operation and response are required (and body with a length)");
    return -1;
  }
  dynamo::server::RequestContext ctx;
  if (access_key) ctx.access_key = access_key;
  if (region) ctx.region = region;
  try {
    return Hand(
        emu->emulator->Dispatch(operation, std::string_view(body ? body : "", body_len), ctx),
        response, response_len);
  } catch (const std::bad_alloc&) {
    Fail("out of memory");
    return -1;
  }
}

int dynamo_emu_control(dynamo_emu* emu, const char* method, const char* path, const char* body,
                       size_t body_len, char** response, size_t* response_len) {
  if (response) *response = nullptr;
  if (!emu || !method || !path || (!body && body_len) || !response) {
    Fail("dynamo_emu_control: emu, method, path and response are required");
    return -1;
  }
  try {
    return Hand(emu->emulator->Control(method, path, std::string_view(body ? body : "", body_len)),
                response, response_len);
  } catch (const std::bad_alloc&) {
    Fail("out of memory");
    return -1;
  }
}

void dynamo_emu_free(char* response) { std::free(response); }

void dynamo_emu_stop(dynamo_emu* emu) {
  if (!emu) return;
  emu->emulator->Stop();
  delete emu;
}

const char* dynamo_emu_last_error(void) { return last_error.c_str(); }

}  // extern "C"
