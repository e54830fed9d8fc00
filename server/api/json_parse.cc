#include "server/api/json_parse.h"

#include "core/utf8.h"

namespace dynamo::server {

namespace {

// Forwards the parser's SAX events to the document being built, counting
// nesting on the way; refusing a level ends the parse.
class DepthLimitedHandler {
 public:
  DepthLimitedHandler(JsonDocument& doc, size_t max_depth) : doc_(doc), max_depth_(max_depth) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned i) { return doc_.Uint(i); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t i) { return doc_.Uint64(i); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return doc_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return Enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return doc_.EndObject(members);
  }
  bool StartArray() { return Enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return doc_.EndArray(elements);
  }

 private:
  bool Enter() { return ++depth_ <= max_depth_; }

  JsonDocument& doc_;
  size_t max_depth_;
  size_t depth_ = 0;
};

}  // namespace

bool ParseRequestBody(std::string_view body, size_t max_depth, JsonDocument* doc) {
  // UTF-8 is checked here, eight ASCII bytes at a time, rather than by the
  // parser byte by byte; the verdicts are the same.
  if (!core::IsValidUtf8(body)) return false;
  bool parsed = false;
  auto generate = [&](JsonDocument& target) {
    rapidjson::MemoryStream ms(body.data(), body.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
    DepthLimitedHandler handler(target, max_depth);
    rapidjson::Reader reader;
    // Iterative: the parser's own stack is on the heap.
    parsed = !reader.Parse<rapidjson::kParseIterativeFlag>(is, handler).IsError();
    return parsed;
  };
  doc->Populate(generate);
  return parsed;
}

}  // namespace dynamo::server
