#include "server/log.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace dynamo::server {
namespace {
// Warnings and errors only for an embedded emulator; the server's main sets
// info, its --log-level default.
std::atomic<int> g_level{static_cast<int>(LogLevel::kWarn)};
}

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load()); }

bool ParseLogLevel(std::string_view t, LogLevel* level) {
  if (t == "debug")
    *level = LogLevel::kDebug;
  else if (t == "info")
    *level = LogLevel::kInfo;
  else if (t == "warn" || t == "warning")
    *level = LogLevel::kWarn;
  else if (t == "error")
    *level = LogLevel::kError;
  else if (t == "off" || t == "none")
    *level = LogLevel::kOff;
  else
    return false;
  return true;
}

namespace {

std::atomic<int> g_format{static_cast<int>(LogFormat::kText)};
constexpr const char* kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};

bool Json() { return g_format.load(std::memory_order_relaxed) == int(LogFormat::kJson); }

// The time now, "2026-12-01T04:30:41.123Z", formatted once a second per
// thread (the milliseconds each time).
std::string Timestamp() {
  thread_local std::time_t formatted_second = -1;
  thread_local char text[32];
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  if (t != formatted_second) {
    std::tm tm;
    gmtime_r(&t, &tm);
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    formatted_second = t;
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(ms.count()));
  return out;
}

// s as a JSON string's contents.
void AppendJsonText(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
}

void AppendJsonField(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":\"";
  AppendJsonText(out, value);
  out += '"';
}

// The request log's lines, gathered and written by a background thread
// every 50 ms (or at 64 KB) so that a request pays for formatting its line,
// not for a write to stderr. Other lines are written at once, after what is
// gathered, so that the order holds; what is gathered is written at exit
// too (a process killed outright loses its last 50 ms of request lines).
class RequestLines {
 public:
  static RequestLines& Get() {
    static RequestLines* lines = new RequestLines;  // never destroyed: the thread outlives statics
    return *lines;
  }

  void Add(std::string_view line) {
    bool wake = false, direct = false;
    {
      std::lock_guard lock(mu_);
      if (!started_) {
        started_ = true;
        try {
          std::thread([this] { Run(); }).detach();
          std::atexit([] { RequestLines::Get().FlushAtExit(); });
        } catch (const std::exception&) {
          failed_ = true;  // no writer thread: lines are written as they come
        }
      }
      if (failed_) {
        direct = true;
      } else if (pending_.size() >= kMaxPendingBytes) {
        // A stderr that does not keep up: the line is dropped rather than
        // kept without bound, and counted.
        ++dropped_;
      } else {
        pending_.append(line);
      }
      // One wake-up per full buffer, not one per line past the mark.
      wake = pending_.size() >= kFlushBytes && !wake_sent_;
      wake_sent_ = wake_sent_ || wake;
    }
    if (wake) cv_.notify_one();
    if (direct) {
      std::lock_guard write(write_mu_);
      std::fwrite(line.data(), 1, line.size(), stderr);
    }
  }

  // Writes what is gathered now.
  void Flush() {
    std::lock_guard write(write_mu_);
    FlushLocked();
  }

  // At exit: what is gathered, unless the writer is stuck on a stderr that
  // does not drain (then exiting matters more than the last lines).
  // (A try_lock loop, not a timed mutex: ThreadSanitizer does not see
  // pthread_mutex_clocklock and reports its unlock.)
  void FlushAtExit() {
    for (int attempt = 0; attempt < 50; ++attempt) {
      if (write_mu_.try_lock()) {
        std::lock_guard write(write_mu_, std::adopt_lock);
        FlushLocked();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // A line written at once, after what is gathered.
  void WriteNow(const std::string& line) {
    std::lock_guard write(write_mu_);
    FlushLocked();
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

 private:
  static constexpr size_t kFlushBytes = 64 * 1024;
  static constexpr size_t kMaxPendingBytes = 8 * 1024 * 1024;

  // Precondition: write_mu_ held.
  void FlushLocked() {
    size_t dropped = 0;
    {
      std::lock_guard lock(mu_);
      writing_.swap(pending_);  // both keep their capacity: no allocation once warm
      wake_sent_ = false;
      dropped = std::exchange(dropped_, 0);
    }
    if (!writing_.empty()) std::fwrite(writing_.data(), 1, writing_.size(), stderr);
    writing_.clear();
    if (dropped > 0) {
      const std::string note = Timestamp() + " WARN " + std::to_string(dropped) +
                               " request log lines dropped: stderr did not keep up\n";
      std::fwrite(note.data(), 1, note.size(), stderr);
    }
  }

  void Run() {
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(50),
                     [this] { return pending_.size() >= kFlushBytes; });
      }
      Flush();
    }
  }

  std::mutex mu_;        // pending_, started_, failed_, wake_sent_, dropped_
  std::mutex write_mu_;  // one writer at a time, so lines keep their order; writing_
  std::condition_variable cv_;
  std::string pending_;
  std::string writing_;
  bool started_ = false;
  bool failed_ = false;  // the writer thread could not start
  bool wake_sent_ = false;
  size_t dropped_ = 0;
};

// One line, written at once (after the request lines gathered).
void Write(const std::string& line) { RequestLines::Get().WriteNow(line); }

}  // namespace

void SetLogFormat(LogFormat format) { g_format.store(static_cast<int>(format)); }

bool ParseLogFormat(std::string_view t, LogFormat* format) {
  if (t == "text") {
    *format = LogFormat::kText;
  } else if (t == "json") {
    *format = LogFormat::kJson;
  } else {
    return false;
  }
  return true;
}

void Log(LogLevel level, std::string_view message) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  const char* name = kNames[static_cast<int>(level)];
  std::string line;
  if (Json()) {
    line = "{\"time\":\"" + Timestamp() + "\"";
    AppendJsonField(line, "level", name);
    AppendJsonField(line, "message", message);
    line += "}\n";
  } else {
    line = Timestamp() + " " + name + " " + std::string(message) + "\n";
  }
  Write(line);
}

bool RequestLogEnabled() {
  return g_level.load(std::memory_order_relaxed) <= static_cast<int>(LogLevel::kInfo);
}

void LogRequest(const RequestLogEntry& e) {
  if (!RequestLogEnabled()) return;
  char latency[32];
  std::snprintf(latency, sizeof latency, "%.3f", e.latency_ms);
  std::string line;
  line.reserve(192);
  if (Json()) {
    line = "{\"time\":\"" + Timestamp() + "\"";
    AppendJsonField(line, "level", "INFO");
    AppendJsonField(line, "message", "request");
    AppendJsonField(line, "operation", e.operation);
    if (!e.table.empty()) AppendJsonField(line, "table", e.table);
    line += ",\"status\":" + std::to_string(e.status);
    if (!e.error_type.empty()) AppendJsonField(line, "error", e.error_type);
    line += ",\"latency_ms\":";
    line += latency;
    AppendJsonField(line, "namespace", e.ns);
    line += "}\n";
  } else {
    line = Timestamp() + " INFO request op=";
    line += e.operation.empty() ? std::string_view("-") : e.operation;
    line += " table=";
    line += e.table.empty() ? std::string_view("-") : e.table;
    line += " status=" + std::to_string(e.status);
    if (!e.error_type.empty()) {
      line += " error=";
      line += e.error_type;
    }
    line += " latency_ms=";
    line += latency;
    line += " ns=";
    line += e.ns;
    line += '\n';
  }
  RequestLines::Get().Add(line);
}

}  // namespace dynamo::server
