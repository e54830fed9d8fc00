// Request JSON -> attribute values: the type pass, decoding and validation;
// every item that decodes must survive the JSON and the stored-format round
// trips unchanged.
#include <cstdint>
#include <string_view>

#include "core/item_codec.h"
#include "server/api/json_parse.h"
#include "server/api/values_json.h"

namespace {

using dynamo::core::Item;

bool SameItem(const Item& a, const Item& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first || !ia->second.Equals(ib->second)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dynamo::server;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  JsonDocument doc;
  if (!ParseRequestBody(text, kMaxJsonNesting, &doc) || !doc.IsObject()) return 0;
  if (!CheckAttributeMapTypes(doc).ok()) return 0;
  auto item = DecodeAttributeMap(doc);
  if (!item.ok()) return 0;
  (void)dynamo::core::ItemSize(*item);

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  WriteAttributeMap(*item, w);
  JsonDocument again;
  if (!ParseRequestBody(std::string_view(buf.GetString(), buf.GetSize()), kMaxJsonNesting,
                        &again)) {
    __builtin_trap();  // what we write must read back
  }
  auto reread = DecodeAttributeMap(again);
  if (!reread.ok() || !SameItem(*item, *reread)) __builtin_trap();

  auto stored = dynamo::core::DecodeItem(dynamo::core::EncodeItem(*item));
  if (!stored.ok() || !SameItem(*item, *stored)) __builtin_trap();
  return 0;
}
