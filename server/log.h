// Minimal leveled logging to stderr. Thread-safe; one line per call.
#pragma once

#include <string_view>

namespace dynamo::server {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool ParseLogLevel(std::string_view text, LogLevel* level);
void Log(LogLevel level, std::string_view message);

}  // namespace dynamo::server
