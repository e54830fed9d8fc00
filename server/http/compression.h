// HTTP content codings as DynamoDB speaks them: request bodies sent with
// Content-Encoding (what the SDKs' request compression produces), and
// responses compressed for clients that send Accept-Encoding.
//
// Two codings exist on either side: gzip (RFC 1952) and deflate, which in
// HTTP means the zlib format (RFC 1950), not raw deflate. The codec is zlib;
// nothing here knows Beast or the API. Every function is thread-safe (no
// shared state).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.h"

namespace dynamo::server {

enum class ContentCoding { kIdentity, kGzip, kDeflate };

// The coding's name on the wire: "gzip", "deflate"; "" for identity.
std::string_view ContentCodingName(ContentCoding coding);

// Responses this large (bytes, before compression) or larger are compressed
// when the client accepts it; DynamoDB compresses from about 4 KB.
inline constexpr size_t kDefaultResponseCompressionThreshold = 4096;

// The coding of a response to a request whose Accept-Encoding is `header`,
// as DynamoDB chooses it:
//  - only gzip and deflate count; identity, br, zstd, compress, x-gzip and
//    any unknown or malformed entry ("gzip br", "\"gzip\"", "gzip:q=1") are
//    ignored, so a header naming nothing else gives kIdentity;
//  - names are case-insensitive, whitespace around entries and around ';'
//    and '=' is allowed, empty entries are skipped;
//  - an entry's weight is its first q parameter: above 1 counts as 1, 0 or
//    below refuses the coding, a value that is not a number is ignored (q=1);
//  - the highest weight wins; on a tie the coding listed first wins;
//  - "*" stands for each of gzip and deflate not listed by name (gzip first)
//    and loses a tie to a coding listed by name ("*, deflate" is deflate).
// Allocation-free.
ContentCoding ChooseResponseCoding(std::string_view header);

// `body` compressed with `coding` (kGzip or kDeflate); empty if zlib fails.
std::string CompressBody(std::string_view body, ContentCoding coding);

// The request body that `body` encodes, given its Content-Encoding header
// value: a comma-separated list of gzip, deflate or identity
// (case-insensitive), applied in the order listed, so decoded last to first.
//  - gzip may be several members back to back (RFC 1952 allows it); deflate
//    is one zlib stream.
//  - Bytes after the end of the data (junk after a gzip member, a second
//    zlib stream) are refused. DynamoDB ignores junk after gzip; we don't,
//    as a body with trailing garbage is almost surely damaged (Alternator
//    refuses it too).
//  - Errors, as DynamoDB answers them: an unknown coding, and an empty,
//    truncated or corrupt body (plain JSON labelled gzip, say) fail with
//    kInternalServerError (500); decoding past `limit` bytes stops and fails
//    with kRequestEntityTooLarge (413), the message a body over the limit
//    on the wire gets, so a small body cannot inflate into a huge one.
core::Result<std::string> DecodeRequestBody(std::string_view content_encoding,
                                            std::string_view body, size_t limit);

}  // namespace dynamo::server
