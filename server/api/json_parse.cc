#include "server/api/json_parse.h"

#include <algorithm>

#include "core/utf8.h"

namespace dynamo::server {

namespace {

// Forwards the parser's SAX events to the document being built, counting
// nesting on the way; refusing a level ends the parse.
class DepthLimitedHandler {
 public:
  // check_strings: validate each decoded string's UTF-8, because a \u escape
  // of a lone surrogate decodes to bytes no valid body contains.
  DepthLimitedHandler(JsonDocument& doc, size_t max_depth, bool check_strings)
      : doc_(doc), max_depth_(max_depth), check_strings_(check_strings) {}

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
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return ValidString(s, n) && doc_.String(s, n, copy);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    return ValidString(s, n) && doc_.Key(s, n, copy);
  }
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
  bool Enter() {
    deepest_ = std::max(deepest_, ++depth_);
    return depth_ <= max_depth_;
  }
  bool ValidString(const char* s, rapidjson::SizeType n) const {
    return !check_strings_ || core::IsValidUtf8(std::string_view(s, n));
  }

  JsonDocument& doc_;
  size_t max_depth_;
  bool check_strings_;
  size_t depth_ = 0;
  size_t deepest_ = 0;

 public:
  size_t deepest() const { return deepest_; }
};

}  // namespace

bool ParseRequestBody(std::string_view body, size_t max_depth, JsonDocument* doc, size_t* deepest) {
  // UTF-8 is checked here, eight ASCII bytes at a time, rather than by the
  // parser byte by byte; the verdicts are the same.
  if (!core::IsValidUtf8(body)) return false;
  bool parsed = false;
  // The parser decodes \uD800-\uDFFF escapes without pairing a low
  // surrogate with a high one: a lone one would become invalid UTF-8 in the
  // item. Only bodies with \u escapes pay for the second check.
  const bool has_unicode_escape = body.find("\\u") != std::string_view::npos;
  auto generate = [&](JsonDocument& target) {
    rapidjson::MemoryStream ms(body.data(), body.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
    DepthLimitedHandler handler(target, max_depth, has_unicode_escape);
    rapidjson::Reader reader;
    // Iterative: the parser's own stack is on the heap.
    parsed = !reader.Parse<rapidjson::kParseIterativeFlag>(is, handler).IsError();
    if (deepest) *deepest = handler.deepest();
    return parsed;
  };
  doc->Populate(generate);
  return parsed;
}

}  // namespace dynamo::server
