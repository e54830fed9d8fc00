#include "server/api/request_echo.h"

#include <string_view>

namespace dynamo::server {
namespace {

// Deeper values (which the JSON parser's own depth limit keeps away) are
// cut short rather than walked.
constexpr int kMaxEchoDepth = 64;

std::string_view Str(const JsonValue& v) {
  return v.IsString() ? std::string_view(v.GetString(), v.GetStringLength()) : std::string_view();
}

void EchoValue(const JsonValue& av, int depth, std::string& out);

// java.nio.HeapByteBuffer's toString, for base64 text of the given length.
void EchoBytes(const JsonValue& b64, std::string& out) {
  std::string_view text = Str(b64);
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  const std::string n = std::to_string(text.size() / 4 * 3 - padding);
  out += "java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]";
}

// "[a, b]": each element of a JSON array echoed by echo_one.
template <typename Fn>
void EchoArray(const JsonValue& list, std::string& out, Fn&& echo_one) {
  out += '[';
  if (list.IsArray()) {
    bool first = true;
    for (const auto& v : list.GetArray()) {
      if (!first) out += ", ";
      first = false;
      echo_one(v);
    }
  }
  out += ']';
}

// [a, b] for a list of strings, numbers or (binary) buffers.
void EchoScalarList(const JsonValue& list, bool binary, std::string& out) {
  EchoArray(list, out, [&](const JsonValue& v) {
    if (binary) {
      EchoBytes(v, out);
    } else {
      out += Str(v);
    }
  });
}

// {name=AttributeValue(...), ...}
void EchoMap(const JsonValue& map, int depth, std::string& out) {
  out += '{';
  if (map.IsObject()) {
    bool first = true;
    for (const auto& m : map.GetObject()) {
      if (!first) out += ", ";
      first = false;
      out += Str(m.name);
      out += '=';
      EchoValue(m.value, depth + 1, out);
    }
  }
  out += '}';
}

void EchoList(const JsonValue& list, int depth, std::string& out) {
  EchoArray(list, out, [&](const JsonValue& v) { EchoValue(v, depth + 1, out); });
}

// AttributeValue(s=..., n=..., ...): every field of the model, null unless set.
void EchoValue(const JsonValue& av, int depth, std::string& out) {
  if (depth > kMaxEchoDepth || !av.IsObject()) {
    out += "AttributeValue(...)";
    return;
  }
  static constexpr std::pair<const char*, const char*> kFields[] = {
      {"s", "S"},
      {"n", "N"},
      {"b", "B"},
      {"iNT", nullptr},
      {"dECIMAL", nullptr},
      {"dOUBLE", nullptr},
      {"sS", "SS"},
      {"nS", "NS"},
      {"bS", "BS"},
      {"iNTSET", nullptr},
      {"dECIMALSET", nullptr},
      {"dOUBLESET", nullptr},
      {"m", "M"},
      {"l", "L"},
      {"nULL", "NULL"},
      {"bOOL", "BOOL"},
  };
  out += "AttributeValue(";
  bool first = true;
  for (const auto& [field, member] : kFields) {
    if (!first) out += ", ";
    first = false;
    out += field;
    out += '=';
    auto it = member ? av.FindMember(member) : av.MemberEnd();
    if (it == av.MemberEnd() || it->value.IsNull()) {
      out += "null";
      continue;
    }
    const JsonValue& v = it->value;
    const std::string_view type(member);
    if (type == "S" || type == "N") {
      out += Str(v);
    } else if (type == "B") {
      EchoBytes(v, out);
    } else if (type == "SS" || type == "NS" || type == "BS") {
      EchoScalarList(v, type == "BS", out);
    } else if (type == "M") {
      EchoMap(v, depth, out);
    } else if (type == "L") {
      EchoList(v, depth, out);
    } else {
      out += v.IsBool() && v.GetBool() ? "true" : "false";
    }
  }
  out += ')';
}

const JsonValue* Member(const JsonValue& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

}  // namespace

std::string EchoWriteRequest(const JsonValue& write_request) {
  // "<Class>(<field>={...}, workloadProfileName=null)", or "null" when absent.
  auto echo_request = [&](const char* member, const char* cls, const char* field,
                          const char* map_member, std::string& out) {
    const JsonValue* request = Member(write_request, member);
    if (!request) {
      out += "null";
      return;
    }
    out += std::string(cls) + "(" + field + "=";
    if (const JsonValue* map = Member(*request, map_member)) {
      EchoMap(*map, 0, out);
    } else {
      out += "null";
    }
    out += ", workloadProfileName=null)";
  };
  std::string out = "WriteRequest(putRequest=";
  echo_request("PutRequest", "PutRequest", "item", "Item", out);
  out += ", deleteRequest=";
  echo_request("DeleteRequest", "DeleteRequest", "key", "Key", out);
  out += ')';
  return out;
}

}  // namespace dynamo::server
