// Minimal leveled logging to stderr. Thread-safe; one line per call.
#pragma once

#include <string_view>

namespace dynamo::server {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool ParseLogLevel(std::string_view text, LogLevel* level);
void Log(LogLevel level, std::string_view message);

// text: "<time> <LEVEL> <message>"; json: one object per line, for log
// collectors ({"time", "level", "message"}, a request's fields besides).
enum class LogFormat { kText, kJson };
void SetLogFormat(LogFormat format);
bool ParseLogFormat(std::string_view text, LogFormat* format);

// One served request, logged at info: what a request log needs to find a
// slow or failing call.
struct RequestLogEntry {
  std::string_view operation;
  std::string_view table;  // empty: none named
  int status = 200;
  std::string_view error_type;  // empty: success
  double latency_ms = 0;
  std::string_view ns;  // the namespace (access key and region)
};
bool RequestLogEnabled();  // info or below
void LogRequest(const RequestLogEntry& entry);

}  // namespace dynamo::server
