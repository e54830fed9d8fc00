// The control API's answers (control.cc, control_state.cc): a JSON object
// with a status, errors as {"error": "..."}. Private to server/api.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "server/api/api.h"
#include "server/api/json.h"

namespace dynamo::server {

// status and the object members() writes.
inline ApiResponse ControlReply(int status, const std::function<void(JsonWriter&)>& members) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  members(w);
  w.EndObject();
  return ApiResponse{status, std::string(buf.GetString(), buf.GetSize())};
}

inline ApiResponse ControlFail(int status, const std::string& message) {
  return ControlReply(status, [&](JsonWriter& w) {
    w.Key("error");
    w.String(message);
  });
}

// A string member of the request body, if it has one.
inline std::optional<std::string_view> StringMember(const JsonValue& body, const char* name) {
  auto it = body.FindMember(name);
  if (it == body.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace dynamo::server
