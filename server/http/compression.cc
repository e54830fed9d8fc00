#include "server/http/compression.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <vector>

namespace dynamo::server {

using core::Error;
using core::ErrorCode;

namespace {

// zlib's windowBits: 15 is the largest window; +16 asks for the gzip wrapper
// instead of zlib's. Explicit (not +32, auto-detect) so that a body whose
// format does not match its label fails, as it does against DynamoDB.
int WindowBits(ContentCoding coding) { return coding == ContentCoding::kGzip ? 15 + 16 : 15; }

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kWhitespace = " \t";
  const size_t first = s.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kWhitespace) - first + 1);
}

// Whether s is `lower` (a lowercase ASCII name) in any case.
bool EqualsCaseless(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Calls f(entry) for each comma-separated entry of list, trimmed.
template <typename F>
void ForEachListEntry(std::string_view list, F&& f) {
  while (true) {
    const size_t comma = list.find(',');
    f(Trim(list.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

// A weight as DynamoDB reads it: [-]digits[.digits] or [-].digits, leniently
// (RFC 9110 allows only 0..1 with three decimals); nullopt if not a number.
std::optional<double> ParseWeight(std::string_view s) {
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) ++i;
  double value = 0;
  bool digits = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, digits = true) {
    value = value * 10 + (s[i] - '0');
  }
  if (i < s.size() && s[i] == '.') {
    double scale = 0.1;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, digits = true, scale /= 10) {
      value += (s[i] - '0') * scale;
    }
  }
  if (!digits || i != s.size()) return std::nullopt;
  return negative ? -value : value;
}

// One Accept-Encoding entry: "coding *( OWS ';' OWS name OWS '=' OWS value )".
struct AcceptEntry {
  std::string_view coding;
  double weight = 1;
};

AcceptEntry ParseAcceptEntry(std::string_view entry) {
  size_t semicolon = entry.find(';');
  AcceptEntry out{Trim(entry.substr(0, semicolon))};
  while (semicolon != std::string_view::npos) {
    entry.remove_prefix(semicolon + 1);
    semicolon = entry.find(';');
    const std::string_view param = entry.substr(0, semicolon);
    const size_t equals = param.find('=');
    if (equals == std::string_view::npos || !EqualsCaseless(Trim(param.substr(0, equals)), "q")) {
      continue;
    }
    // DynamoDB: the first q decides ("gzip;q=1;q=0.2" is gzip), above 1 is 1.
    if (std::optional<double> q = ParseWeight(Trim(param.substr(equals + 1)))) {
      out.weight = std::clamp(*q, 0.0, 1.0);
    }
    break;
  }
  return out;
}

Error TooLarge(size_t limit) {
  return Error{ErrorCode::kRequestEntityTooLarge,
               "Request payload size exceeds the limit of " + std::to_string(limit) + " bytes"};
}

Error NotDecodable(ContentCoding coding, std::string_view why) {
  std::string message = "The request body is not valid ";
  message += coding == ContentCoding::kGzip ? "gzip" : "deflate (zlib)";
  message += " data: ";
  message += why;
  return Error{ErrorCode::kInternalServerError, std::move(message)};
}

// Inflates one coding of `in`, stopping as soon as the output passes limit.
core::Result<std::string> Inflate(std::string_view in, ContentCoding coding, size_t limit) {
  if (in.empty()) return NotDecodable(coding, "empty");
  if (in.size() > UINT_MAX) return TooLarge(limit);
  z_stream zs{};
  if (inflateInit2(&zs, WindowBits(coding)) != Z_OK) {
    return Error{ErrorCode::kInternalServerError, "Internal server error"};
  }
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  // Grown by doubling up to limit + 1: one byte more than allowed is enough
  // to know the body is too large.
  std::string out(std::min(limit + 1, std::max<size_t>(in.size() * 4, 16 * 1024)), '\0');
  size_t produced = 0;
  while (true) {
    if (produced == out.size()) {
      if (produced > limit) return TooLarge(limit);
      out.resize(std::min(limit + 1, out.size() * 2));
    }
    const uInt room = static_cast<uInt>(std::min<size_t>(out.size() - produced, UINT_MAX));
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = room;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    produced += room - zs.avail_out;
    if (produced > limit) return TooLarge(limit);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // gzip: the next member. deflate: DynamoDB refuses a second stream.
      if (coding != ContentCoding::kGzip) return NotDecodable(coding, "bytes after its end");
      if (inflateReset(&zs) != Z_OK) return NotDecodable(coding, "corrupt");
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // out of room: grow
    if (rc == Z_BUF_ERROR) return NotDecodable(coding, "truncated");
    // Z_DATA_ERROR (incl. junk after a gzip member), Z_NEED_DICT, Z_MEM_ERROR.
    return NotDecodable(coding, zs.msg ? zs.msg : "corrupt");
  }
  out.resize(produced);
  return out;
}

}  // namespace

std::string_view ContentCodingName(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::kGzip:
      return "gzip";
    case ContentCoding::kDeflate:
      return "deflate";
    case ContentCoding::kIdentity:
      break;
  }
  return "";
}

ContentCoding ChooseResponseCoding(std::string_view header) {
  // Per coding: its best weight among entries naming it, and the position of
  // the first entry with that weight; "*": its best weight.
  struct Named {
    bool listed = false;
    double weight = 0;
    int position = 0;
  };
  Named named[2];  // gzip, deflate
  std::optional<double> wildcard;
  int position = 0;
  ForEachListEntry(header, [&](std::string_view text) {
    if (text.empty()) return;
    const AcceptEntry entry = ParseAcceptEntry(text);
    ++position;
    if (entry.coding == "*") {
      wildcard = std::max(wildcard.value_or(0.0), entry.weight);
      return;
    }
    Named* slot = EqualsCaseless(entry.coding, "gzip")      ? &named[0]
                  : EqualsCaseless(entry.coding, "deflate") ? &named[1]
                                                            : nullptr;
    if (slot && (!slot->listed || entry.weight > slot->weight)) {
      *slot = Named{true, entry.weight, position};
    }
  });
  // A coding "*" stands for ranks after every named one, gzip before deflate.
  constexpr ContentCoding kCodings[2] = {ContentCoding::kGzip, ContentCoding::kDeflate};
  ContentCoding best = ContentCoding::kIdentity;
  double best_weight = 0;
  int best_rank = INT_MAX;
  for (int i = 0; i < 2; ++i) {
    double weight = 0;
    int rank = INT_MAX;
    if (named[i].listed) {
      weight = named[i].weight;
      rank = named[i].position;
    } else if (wildcard) {
      weight = *wildcard;
      rank = INT_MAX - 2 + i;
    }
    if (weight > best_weight || (weight > 0 && weight == best_weight && rank < best_rank)) {
      best = kCodings[i];
      best_weight = weight;
      best_rank = rank;
    }
  }
  return best;
}

std::string CompressBody(std::string_view body, ContentCoding coding) {
  if (coding == ContentCoding::kIdentity || body.size() > UINT_MAX) return {};
  z_stream zs{};
  // The fastest level: a local emulator's responses are not worth CPU time.
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, WindowBits(coding), 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return {};
  }
  // deflateBound (which counts the wrapper) makes one Z_FINISH call enough.
  std::string out(deflateBound(&zs, static_cast<uLong>(body.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  zs.avail_in = static_cast<uInt>(body.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return {};
  return out;
}

core::Result<std::string> DecodeRequestBody(std::string_view content_encoding,
                                            std::string_view body, size_t limit) {
  std::vector<ContentCoding> codings;
  bool unsupported = false;
  ForEachListEntry(content_encoding, [&](std::string_view name) {
    if (name.empty() || EqualsCaseless(name, "identity")) return;
    if (EqualsCaseless(name, "gzip")) {
      codings.push_back(ContentCoding::kGzip);
    } else if (EqualsCaseless(name, "deflate")) {
      codings.push_back(ContentCoding::kDeflate);
    } else {
      unsupported = true;
    }
  });
  // DynamoDB answers an unknown coding with a 500, before looking at the body.
  if (unsupported) {
    return Error{ErrorCode::kInternalServerError,
                 "Unsupported Content-Encoding; gzip and deflate are supported"};
  }
  std::string decoded(codings.empty() ? body : std::string_view());
  std::string_view current = body;
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    DYNAMO_ASSIGN_OR_RETURN(decoded, Inflate(current, *it, limit));
    current = decoded;
  }
  return decoded;
}

}  // namespace dynamo::server
