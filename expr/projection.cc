#include "expr/projection.h"

#include <algorithm>
#include <cctype>

namespace dynamo::expr {

using core::AttributeValue;
using core::Item;
using core::Result;
using core::ValidationError;

namespace {

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class ProjectionParser {
 public:
  ProjectionParser(std::string_view text, const NameMap& names, std::string_view kind)
      : text_(text), names_(names), kind_(kind) {}

  Result<Projection> Parse() {
    Projection out;
    SkipSpace();
    if (pos_ >= text_.size()) {
      return ValidationError("Invalid " + std::string(kind_) +
                             ": The expression can not be empty;");
    }
    while (true) {
      Path path;
      DYNAMO_RETURN_IF_ERROR(ParsePath(&path, &out));
      out.paths.push_back(std::move(path));
      SkipSpace();
      if (pos_ >= text_.size()) break;
      if (text_[pos_] != ',') return SyntaxError();
      ++pos_;
      SkipSpace();
    }
    DYNAMO_RETURN_IF_ERROR(CheckOverlaps(out.paths));
    return out;
  }

 private:
  core::Status ParsePath(Path* path, Projection* out) {
    DYNAMO_RETURN_IF_ERROR(ParseElement(path, out));
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size()) return core::Status::Ok();
      char c = text_[pos_];
      if (c == '.') {
        ++pos_;
        SkipSpace();
        DYNAMO_RETURN_IF_ERROR(ParseElement(path, out));
      } else if (c == '[') {
        ++pos_;
        SkipSpace();
        size_t start = pos_;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
        if (start == pos_) return SyntaxError();
        std::string_view digits = text_.substr(start, pos_ - start);
        size_t index = 0;
        for (char d : digits) {
          index = index * 10 + static_cast<size_t>(d - '0');
          if (index > 1000000000) return SyntaxError();
        }
        SkipSpace();
        if (pos_ >= text_.size() || text_[pos_] != ']') return SyntaxError();
        ++pos_;
        path->push_back(index);
      } else {
        return core::Status::Ok();
      }
    }
  }

  core::Status ParseElement(Path* path, Projection* out) {
    if (pos_ >= text_.size()) return SyntaxError();
    size_t start = pos_;
    if (text_[pos_] == '#') {
      ++pos_;
      while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
      std::string_view token = text_.substr(start, pos_ - start);
      if (token.size() == 1) return SyntaxError();
      auto it = names_.find(token);
      if (it == names_.end()) {
        return ValidationError("Invalid " + std::string(kind_) +
                               ": An expression attribute name used in the document path is "
                               "not defined; attribute name: " +
                               std::string(token));
      }
      out->used_names.emplace(token);
      path->push_back(it->second);
      return core::Status::Ok();
    }
    if (!std::isalpha(static_cast<unsigned char>(text_[pos_])) && text_[pos_] != '_') {
      return SyntaxError();
    }
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    path->push_back(std::string(text_.substr(start, pos_ - start)));
    return core::Status::Ok();
  }

  core::Status CheckOverlaps(const std::vector<Path>& paths) {
    for (size_t i = 0; i < paths.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        const Path& a = paths[j];
        const Path& b = paths[i];
        size_t n = std::min(a.size(), b.size());
        size_t k = 0;
        while (k < n && a[k] == b[k]) ++k;
        if (k == n) {
          return ValidationError("Invalid " + std::string(kind_) +
                                 ": Two document paths overlap with each other; must remove or "
                                 "rewrite one of these paths; path one: " +
                                 PathToString(a) + ", path two: " + PathToString(b));
        }
        if (a[k].index() != b[k].index()) {
          return ValidationError("Invalid " + std::string(kind_) +
                                 ": Two document paths conflict with each other; must remove or "
                                 "rewrite one of these paths; path one: " +
                                 PathToString(a) + ", path two: " + PathToString(b));
        }
      }
    }
    return core::Status::Ok();
  }

  core::Error SyntaxError() {
    std::string token;
    if (pos_ >= text_.size()) {
      token = "<EOF>";
    } else if (IsNameChar(text_[pos_]) || text_[pos_] == '#') {
      size_t end = pos_ + 1;
      while (end < text_.size() && IsNameChar(text_[end])) ++end;
      token = std::string(text_.substr(pos_, end - pos_));
    } else {
      token = std::string(1, text_[pos_]);
    }
    size_t near_start = pos_ > 0 ? pos_ - 1 : 0;
    while (near_start > 0 && IsNameChar(text_[near_start - 1])) --near_start;
    size_t near_end = std::min(text_.size(), pos_ + std::max<size_t>(token.size(), 1));
    if (token == "<EOF>") near_end = text_.size();
    std::string near(text_.substr(near_start, near_end - near_start));
    return ValidationError("Invalid " + std::string(kind_) + ": Syntax error; token: \"" + token +
                           "\", near: \"" + near + "\"");
  }

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  std::string_view text_;
  const NameMap& names_;
  std::string_view kind_;
  size_t pos_ = 0;
};

}  // namespace

Result<Projection> ParseProjection(std::string_view text, const NameMap& names,
                                   std::string_view kind) {
  return ProjectionParser(text, names, kind).Parse();
}

namespace {

// Recursive projection that handles maps and list indexes together: for a
// value v and the set of (remaining) paths that go through it, builds the
// projected value.
struct Node {
  bool whole = false;
  std::map<std::string, Node> keys;
  std::map<size_t, Node> indexes;
};

void Insert(Node* node, const Path& path, size_t depth) {
  if (depth == path.size()) {
    node->whole = true;
    return;
  }
  if (const auto* name = std::get_if<std::string>(&path[depth])) {
    Insert(&node->keys[*name], path, depth + 1);
  } else {
    Insert(&node->indexes[std::get<size_t>(path[depth])], path, depth + 1);
  }
}

// Returns false when nothing of the node exists in v.
bool Project(const AttributeValue& v, const Node& node, AttributeValue* out) {
  if (node.whole) {
    *out = v;
    return true;
  }
  if (!node.keys.empty() && v.type() == core::ValueType::kM) {
    core::ValueMap m;
    for (const auto& [name, child] : node.keys) {
      auto it = v.m().find(name);
      if (it == v.m().end()) continue;
      AttributeValue sub;
      if (Project(it->second, child, &sub)) m.emplace(name, std::move(sub));
    }
    if (m.empty()) return false;
    *out = AttributeValue::M(std::move(m));
    return true;
  }
  if (!node.indexes.empty() && v.type() == core::ValueType::kL) {
    core::ValueList l;
    for (const auto& [index, child] : node.indexes) {
      if (index >= v.l().size()) continue;
      AttributeValue sub;
      if (Project(v.l()[index], child, &sub)) l.push_back(std::move(sub));
    }
    if (l.empty()) return false;
    *out = AttributeValue::L(std::move(l));
    return true;
  }
  return false;
}

}  // namespace

Item ApplyProjection(const Item& item, const std::vector<Path>& paths) {
  Node root;
  for (const auto& p : paths) Insert(&root, p, 0);
  Item out;
  for (const auto& [name, child] : root.keys) {
    auto it = item.find(name);
    if (it == item.end()) continue;
    AttributeValue sub;
    if (Project(it->second, child, &sub)) out.emplace(name, std::move(sub));
  }
  return out;
}

std::string PathToString(const Path& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += ", ";
    if (const auto* name = std::get_if<std::string>(&path[i])) {
      out += *name;
    } else {
      out += "[" + std::to_string(std::get<size_t>(path[i])) + "]";
    }
  }
  return out + "]";
}

}  // namespace dynamo::expr
