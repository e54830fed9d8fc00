#include "server/http/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "core/uri.h"
#include "server/api/api.h"

namespace dynamo::server {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kService = "dynamodb";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::time_t kMaxSkewSeconds = 15 * 60;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsCaseless(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

// --- hashing (OpenSSL) ---

std::string Hex(const unsigned char* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), digest, &n, EVP_sha256(), nullptr);
  return Hex(digest, n);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &n);
  return std::string(reinterpret_cast<const char*>(mac), n);
}

// --- the canonical request ---

bool Unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

// RFC 3986 percent-encoding of everything but unreserved characters (and
// '/' when keep_slash), upper-case hex, as SigV4 specifies.
std::string UriEncode(std::string_view s, bool keep_slash) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    }
  }
  return out;
}

// The path decoded, "." and ".." segments removed (RFC 3986 5.2.4, as the
// SDKs normalise it before signing), and encoded once, as botocore and AWS's
// SigV4 test suite do ("/example space/" signs as "/example%20space/").
// DynamoDB's requests all go to "/".
std::string CanonicalUri(std::string_view raw_path) {
  const std::string decoded = core::UriDecode(raw_path);
  std::string_view path = decoded;
  if (path.empty()) return "/";
  std::vector<std::string_view> out;
  for (std::string_view segment : Split(path, '/')) {
    if (segment == ".") continue;
    if (segment == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(segment);
  }
  if (path.front() == '/' && (out.empty() || !out.front().empty())) out.insert(out.begin(), "");
  if (path.ends_with("/.") || path.ends_with("/..")) out.push_back("");
  std::string joined;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) joined += '/';
    joined += out[i];
  }
  if (joined.empty()) joined = "/";
  return UriEncode(joined, /*keep_slash=*/true);
}

// Parameters decoded, re-encoded, sorted by name then value.
std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (std::string_view part : Split(query, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view name = part.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
    params.emplace_back(UriEncode(core::UriDecode(name), false),
                        UriEncode(core::UriDecode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name + '=' + value;
  }
  return out;
}

// A header's values trimmed, inner runs of spaces collapsed, joined by ','.
std::string CanonicalHeaderValue(const std::vector<std::string_view>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    bool in_space = false;
    for (char c : Trim(values[i])) {
      if (c == ' ' || c == '\t') {
        in_space = true;
        continue;
      }
      if (in_space) out += ' ';
      in_space = false;
      out += c;
    }
  }
  return out;
}

std::string CanonicalRequest(const SignedRequest& request, std::string_view signed_headers) {
  size_t q = request.target.find('?');
  std::string_view path = request.target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : request.target.substr(q + 1);
  std::string out;
  out.append(request.method).append("\n");
  out.append(CanonicalUri(path)).append("\n");
  out.append(CanonicalQuery(query)).append("\n");
  for (std::string_view name : Split(signed_headers, ';')) {
    out.append(Lower(name)).append(":").append(CanonicalHeaderValue(request.Values(name)));
    out.append("\n");
  }
  out.append("\n").append(signed_headers).append("\n");
  out.append(Sha256Hex(request.body));
  return out;
}

// --- times ---

// Times are seconds since the epoch (time_t), never a nanosecond time_point:
// a date header may name any year up to 9999, past what those can hold.

std::string BasicFormat(std::time_t secs) {
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

// ISO-8601 basic format, "20240101T120000Z".
std::optional<std::time_t> ParseBasicFormat(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  return timegm(&tm);
}

// An HTTP Date header, "Mon, 01 Jan 2024 12:00:00 GMT".
std::optional<std::time_t> ParseHttpDate(std::string_view s) {
  std::string text(s);
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0' || tm.tm_year > 9999 - 1900) return std::nullopt;
  return timegm(&tm);
}

// --- the Authorization header ---

struct AuthorizationHeader {
  std::string_view algorithm;
  std::optional<std::string_view> credential;
  std::optional<std::string_view> signed_headers;
  std::optional<std::string_view> signature;
};

// "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request,
//  SignedHeaders=host;x-amz-date, Signature=abc..."
AuthorizationHeader SplitAuthorization(std::string_view header) {
  auto param = [&](std::string_view name) -> std::optional<std::string_view> {
    size_t pos = 0;
    while ((pos = header.find(name, pos)) != std::string_view::npos) {
      bool boundary = pos == 0 || header[pos - 1] == ' ' || header[pos - 1] == ',';
      size_t eq = pos + name.size();
      if (boundary && eq < header.size() && header[eq] == '=') {
        size_t end = header.find_first_of(", ", eq + 1);
        return header.substr(eq + 1, end == std::string_view::npos ? end : end - eq - 1);
      }
      pos = eq;
    }
    return std::nullopt;
  };
  return {header.substr(0, header.find(' ')), param("Credential"), param("SignedHeaders"),
          param("Signature")};
}

// Checks 1 and 2: the header is there and has its parts.
std::optional<Error> CheckPresence(std::string_view header, bool present, bool has_date,
                                   const AuthorizationHeader& auth) {
  if (!present || header.substr(0, 5) != "AWS4-") {
    return Error{ErrorCode::kMissingAuthenticationToken, "Request is missing Authentication Token"};
  }
  std::string missing;
  if (!auth.credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!auth.signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!auth.signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!has_date) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (missing.empty()) return std::nullopt;
  return Error{ErrorCode::kIncompleteSignature, missing + "Authorization=" + std::string(header)};
}

// Check 7: keyid/date/region/service/term (trailing slashes ignored).
Result<std::vector<std::string_view>> CredentialParts(std::string_view credential) {
  std::string_view trimmed = credential;
  while (!trimmed.empty() && trimmed.back() == '/') trimmed.remove_suffix(1);
  std::vector<std::string_view> parts = Split(trimmed, '/');
  if (parts.size() != 5) {
    return Error{ErrorCode::kIncompleteSignature,
                 "Credential must have exactly 5 slash-delimited elements, e.g. "
                 "keyid/date/region/service/term, got '" +
                     std::string(credential) + "'"};
  }
  return parts;
}

bool ValidRegion(std::string_view region) {
  return !region.empty() && std::all_of(region.begin(), region.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-';
  });
}

// Check 8: every part of the scope that is wrong, in one message.
std::optional<Error> CheckScope(const std::vector<std::string_view>& parts,
                                std::string_view request_date) {
  std::string message;
  if (!ValidRegion(parts[2])) {
    message +=
        "Credential should be scoped to a valid region, not '" + std::string(parts[2]) + "'. ";
  }
  if (parts[3] != kService) {
    message += "Credential should be scoped to correct service: '" + std::string(kService) + "'. ";
  }
  if (parts[4] != kTerminator) {
    message += "Credential should be scoped with a valid terminator: '" + std::string(kTerminator) +
               "', not '" + std::string(parts[4]) + "'. ";
  }
  std::string_view day = request_date.substr(0, 8);
  if (parts[1] != day) {
    message +=
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        std::string(parts[1]) + "' != '" + std::string(day) + "', from '" +
        std::string(request_date) + "'.";
  }
  if (message.empty()) return std::nullopt;
  return Error{ErrorCode::kInvalidSignature, message};
}

// Checks 3 and 4: the request time, in basic format, or the error.
Result<std::string> CheckRequestTime(const SignedRequest& request,
                                     std::chrono::system_clock::time_point now) {
  std::vector<std::string_view> amz = request.Values("x-amz-date");
  std::string_view raw = !amz.empty() ? amz.front() : request.Values("date").front();
  auto time = !amz.empty() ? ParseBasicFormat(raw) : ParseHttpDate(raw);
  if (!time) {
    return Error{ErrorCode::kIncompleteSignature,
                 "Date must be in ISO-8601 'basic format'. Got '" + std::string(raw) +
                     "'. See http://en.wikipedia.org/wiki/ISO_8601"};
  }
  const std::string stamp = BasicFormat(*time);
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  if (*time < secs - kMaxSkewSeconds) {
    return Error{ErrorCode::kInvalidSignature, "Signature expired: " + stamp +
                                                   " is now earlier than " +
                                                   BasicFormat(secs - kMaxSkewSeconds) + " (" +
                                                   BasicFormat(secs) + " - 15 min.)"};
  }
  if (*time > secs + kMaxSkewSeconds) {
    return Error{ErrorCode::kInvalidSignature, "Signature not yet current: " + stamp +
                                                   " is still later than " +
                                                   BasicFormat(secs + kMaxSkewSeconds) + " (" +
                                                   BasicFormat(secs) + " + 15 min.)"};
  }
  // The string to sign carries X-Amz-Date as sent.
  return !amz.empty() ? std::string(raw) : stamp;
}

bool SignsHost(std::string_view signed_headers) {
  for (std::string_view name : Split(signed_headers, ';')) {
    if (EqualsCaseless(name, "host") || name == ":authority") return true;
  }
  return false;
}

bool SameSignature(std::string_view computed, std::string_view provided) {
  return computed.size() == provided.size() &&
         CRYPTO_memcmp(computed.data(), provided.data(), computed.size()) == 0;
}

Error InvalidToken(std::string message) {
  return Error{ErrorCode::kUnrecognizedClient, std::move(message)};
}

// Checks 9-11, against the profiles that have this key.
std::optional<Error> CheckSignature(const SignedRequest& request, const AuthorizationHeader& auth,
                                    const std::vector<std::string_view>& scope,
                                    std::string_view amz_date, const Credentials& credentials) {
  const std::vector<Credentials::Secret>* secrets = credentials.Find(scope[0]);
  if (secrets == nullptr)
    return InvalidToken("The security token included in the request is invalid.");
  for (const Credentials::Secret& secret : *secrets) {
    std::string computed = ComputeSignature(request, *auth.signed_headers, amz_date,
                                            secret.secret_access_key, scope[1], scope[2], scope[3]);
    if (!SameSignature(computed, *auth.signature)) continue;
    if (secret.session_token) {
      std::vector<std::string_view> token = request.Values("x-amz-security-token");
      if (token.size() != 1 || token.front() != *secret.session_token) {
        // DynamoDB's wording here has no final period.
        return InvalidToken("The security token included in the request is invalid");
      }
    }
    return std::nullopt;
  }
  return Error{ErrorCode::kInvalidSignature,
               "The request signature we calculated does not match the signature you provided. "
               "Check your AWS Secret Access Key and signing method. Consult the service "
               "documentation for details."};
}

std::optional<Error> Verify(const SignedRequest& request, const Credentials& credentials,
                            std::chrono::system_clock::time_point now, RequestContext* ctx) {
  std::vector<std::string_view> header = request.Values("authorization");
  const bool has_date = !request.Values("x-amz-date").empty() || !request.Values("date").empty();
  std::string_view value = header.empty() ? std::string_view() : header.front();
  AuthorizationHeader auth = SplitAuthorization(value);
  if (auto error = CheckPresence(value, !header.empty(), has_date, auth)) return error;
  Result<std::string> amz_date = CheckRequestTime(request, now);
  if (!amz_date.ok()) return amz_date.error();
  if (!SignsHost(*auth.signed_headers)) {
    return Error{ErrorCode::kInvalidSignature,
                 "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."};
  }
  if (auth.algorithm != kAlgorithm) {
    return Error{ErrorCode::kIncompleteSignature, "Unsupported AWS 'algorithm': '" +
                                                      std::string(auth.algorithm) +
                                                      "' (only AWS4-HMAC-SHA256 for now). "};
  }
  Result<std::vector<std::string_view>> scope = CredentialParts(*auth.credential);
  if (!scope.ok()) return scope.error();
  if (auto error = CheckScope(*scope, *amz_date)) return error;
  if (auto error = CheckSignature(request, auth, *scope, *amz_date, credentials)) return error;
  ctx->access_key = std::string((*scope)[0]);
  ctx->region = std::string((*scope)[2]);
  return std::nullopt;
}

}  // namespace

// --- Credentials ---

Result<Credentials> Credentials::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kValidation, "cannot read credentials file '" + path + "'"};
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Result<Credentials> Credentials::Parse(std::string_view text, std::string_view source) {
  struct Profile {
    std::optional<std::string> key, secret, token;
  };
  std::vector<Profile> profiles;
  size_t line_number = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_number;
    line = Trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return Error{ErrorCode::kValidation, std::string(source) + ":" +
                                                 std::to_string(line_number) +
                                                 ": a section header must end with ']'"};
      }
      profiles.emplace_back();
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || profiles.empty()) {
      return Error{ErrorCode::kValidation,
                   std::string(source) + ":" + std::to_string(line_number) +
                       (profiles.empty() ? ": a setting before the first [profile] section"
                                         : ": expected 'name = value'")};
    }
    std::string name = Lower(Trim(line.substr(0, eq)));
    std::string value(Trim(line.substr(eq + 1)));
    if (name == "aws_access_key_id") profiles.back().key = value;
    if (name == "aws_secret_access_key") profiles.back().secret = value;
    if (name == "aws_session_token") profiles.back().token = value;
  }
  Credentials out;
  for (Profile& p : profiles) {
    if (!p.key || !p.secret || p.key->empty()) continue;
    out.by_key_[*p.key].push_back(Secret{std::move(*p.secret), std::move(p.token)});
    ++out.pairs_;
  }
  if (out.pairs_ == 0) {
    return Error{
        ErrorCode::kValidation,
        std::string(source) + ": no profile has both aws_access_key_id and aws_secret_access_key"};
  }
  return out;
}

const std::vector<Credentials::Secret>* Credentials::Find(std::string_view access_key_id) const {
  auto it = by_key_.find(std::string(access_key_id));
  return it == by_key_.end() ? nullptr : &it->second;
}

std::vector<std::string_view> SignedRequest::Values(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Header& h : headers) {
    if (EqualsCaseless(h.name, name)) out.push_back(h.value);
  }
  return out;
}

// --- entry points ---

void ParseAuthorization(std::string_view header, bool present, bool has_date, RequestContext* ctx) {
  AuthorizationHeader auth = SplitAuthorization(header);
  if (auto error = CheckPresence(header, present, has_date, auth)) {
    ctx->auth_error = std::move(error);
    return;
  }
  Result<std::vector<std::string_view>> parts = CredentialParts(*auth.credential);
  if (!parts.ok()) {
    ctx->auth_error = parts.error();
    return;
  }
  ctx->access_key = std::string((*parts)[0]);
  ctx->region = std::string((*parts)[2]);
}

void VerifySignature(const SignedRequest& request, const Credentials& credentials,
                     std::chrono::system_clock::time_point now, RequestContext* ctx) {
  if (auto error = Verify(request, credentials, now, ctx)) ctx->auth_error = std::move(error);
}

std::string ComputeSignature(const SignedRequest& request, std::string_view signed_headers,
                             std::string_view amz_date, std::string_view secret_access_key,
                             std::string_view scope_date, std::string_view region,
                             std::string_view service) {
  const std::string scope = std::string(scope_date) + "/" + std::string(region) + "/" +
                            std::string(service) + "/" + std::string(kTerminator);
  const std::string string_to_sign = std::string(kAlgorithm) + "\n" + std::string(amz_date) + "\n" +
                                     scope + "\n" +
                                     Sha256Hex(CanonicalRequest(request, signed_headers));
  std::string key = HmacSha256("AWS4" + std::string(secret_access_key), scope_date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  key = HmacSha256(key, kTerminator);
  const std::string mac = HmacSha256(key, string_to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

}  // namespace dynamo::server
