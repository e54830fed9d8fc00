#include "expr/parser.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <unordered_map>

#include "expr/reserved_words.h"

namespace dynamo::expr {

using core::Error;
using core::Result;
using core::Status;
using core::ValidationError;

const char* ExpressionKindName(ExpressionKind kind) {
  switch (kind) {
    case ExpressionKind::kCondition:
      return "ConditionExpression";
    case ExpressionKind::kFilter:
      return "FilterExpression";
    case ExpressionKind::kKeyCondition:
      return "KeyConditionExpression";
    case ExpressionKind::kUpdate:
      return "UpdateExpression";
    case ExpressionKind::kProjection:
      return "ProjectionExpression";
  }
  return "Expression";
}

const char* FunctionName(Function f) {
  switch (f) {
    case Function::kAttributeExists:
      return "attribute_exists";
    case Function::kAttributeNotExists:
      return "attribute_not_exists";
    case Function::kAttributeType:
      return "attribute_type";
    case Function::kBeginsWith:
      return "begins_with";
    case Function::kContains:
      return "contains";
    case Function::kSize:
      return "size";
    case Function::kIfNotExists:
      return "if_not_exists";
    case Function::kListAppend:
      return "list_append";
  }
  return "?";
}

const char* CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "<>";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

namespace {

enum class Tok {
  kName,
  kNamePlaceholder,
  kValuePlaceholder,
  kNumber,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kPlus,
  kMinus,
  kEof,
  kInvalid,
};

struct Token {
  Tok kind;
  size_t begin, end;  // byte range in the text
};

// A plain attribute name is [A-Za-z][A-Za-z0-9_]*; a leading '_' is its own (invalid) token.
bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)); }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::vector<Token> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size()) {
      out.push_back({Tok::kEof, s.size(), s.size()});
      return out;
    }
    size_t b = i;
    char c = s[i];
    auto one = [&](Tok k) {
      ++i;
      out.push_back({k, b, i});
    };
    if (IsIdentStart(c)) {
      while (i < s.size() && IsIdentChar(s[i])) ++i;
      out.push_back({Tok::kName, b, i});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      out.push_back({Tok::kNumber, b, i});
    } else if (c == '#' || c == ':') {
      ++i;
      while (i < s.size() && IsIdentChar(s[i])) ++i;
      if (i - b == 1) {
        out.push_back({Tok::kInvalid, b, i});  // a bare '#' or ':'
      } else {
        out.push_back({c == '#' ? Tok::kNamePlaceholder : Tok::kValuePlaceholder, b, i});
      }
    } else if (c == '<') {
      if (i + 1 < s.size() && s[i + 1] == '>') {
        i += 2;
        out.push_back({Tok::kNe, b, i});
      } else if (i + 1 < s.size() && s[i + 1] == '=') {
        i += 2;
        out.push_back({Tok::kLe, b, i});
      } else {
        one(Tok::kLt);
      }
    } else if (c == '>') {
      if (i + 1 < s.size() && s[i + 1] == '=') {
        i += 2;
        out.push_back({Tok::kGe, b, i});
      } else {
        one(Tok::kGt);
      }
    } else if (c == '=') {
      one(Tok::kEq);
    } else if (c == '(') {
      one(Tok::kLParen);
    } else if (c == ')') {
      one(Tok::kRParen);
    } else if (c == '[') {
      one(Tok::kLBracket);
    } else if (c == ']') {
      one(Tok::kRBracket);
    } else if (c == ',') {
      one(Tok::kComma);
    } else if (c == '.') {
      one(Tok::kDot);
    } else if (c == '+') {
      one(Tok::kPlus);
    } else if (c == '-') {
      one(Tok::kMinus);
    } else {
      // One UTF-8 character, reported as the offending token.
      ++i;
      while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
      out.push_back({Tok::kInvalid, b, i});
    }
  }
}

bool EqualsCaseless(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, ExpressionKind kind)
      : text_(text), kind_(kind), tokens_(Lex(text)) {
    std::vector<size_t> open;
    for (size_t i = 0; i < tokens_.size(); ++i) {
      if (tokens_[i].kind == Tok::kLParen) open.push_back(i);
      if (tokens_[i].kind == Tok::kRParen && !open.empty()) {
        matching_[open.back()] = i;
        open.pop_back();
      }
    }
  }

  // Errors DynamoDB reports only after a successful parse, in this order of
  // precedence whatever their position: the first of each kind is kept.
  enum Deferred {
    kParens,
    kFunctionName,
    kReservedWord,
    kDuplicateSection,
    kPathDepth,
    kInOperands,
    kDeferredKinds
  };
  void Defer(Deferred kind, Error e) {
    if (!deferred_[kind]) deferred_[kind] = std::move(e);
  }
  Status DeferredErrors() {
    for (auto& e : deferred_) {
      if (e) return std::move(*e);
    }
    return CheckOperatorCount();
  }

  Status CheckLength() {
    if (text_.empty()) return Invalid("The expression can not be empty;");
    if (text_.size() > kMaxExpressionLength) {
      return Invalid("Expression size has exceeded the maximum allowed size; expression size: " +
                     std::to_string(text_.size()));
    }
    return Status::Ok();
  }

  // condition := or, then end of input.
  Result<std::shared_ptr<const ParsedCondition>> ParseConditionExpression() {
    DYNAMO_RETURN_IF_ERROR(CheckLength());
    auto out = std::make_shared<ParsedCondition>();
    DYNAMO_RETURN_IF_ERROR(ParseOr(&out->root, 0));
    if (Peek().kind != Tok::kEof) return SyntaxError();
    DYNAMO_RETURN_IF_ERROR(DeferredErrors());
    out->placeholders = std::move(placeholders_);
    return std::shared_ptr<const ParsedCondition>(std::move(out));
  }

  // update := clause+, each of SET/REMOVE/ADD/DELETE at most once.
  Result<std::shared_ptr<const ParsedUpdate>> ParseUpdateExpression() {
    DYNAMO_RETURN_IF_ERROR(CheckLength());
    auto out = std::make_shared<ParsedUpdate>();
    bool seen[4] = {false, false, false, false};
    do {
      const Token& t = Peek();
      if (t.kind != Tok::kName) return SyntaxError();
      std::string_view word = Text(t);
      UpdateAction::Kind kind;
      const char* clause;
      if (EqualsCaseless(word, "SET")) {
        kind = UpdateAction::Kind::kSet;
        clause = "SET";
      } else if (EqualsCaseless(word, "REMOVE")) {
        kind = UpdateAction::Kind::kRemove;
        clause = "REMOVE";
      } else if (EqualsCaseless(word, "ADD")) {
        kind = UpdateAction::Kind::kAdd;
        clause = "ADD";
      } else if (EqualsCaseless(word, "DELETE")) {
        kind = UpdateAction::Kind::kDelete;
        clause = "DELETE";
      } else {
        return SyntaxError();
      }
      if (seen[static_cast<int>(kind)]) {
        Defer(kDuplicateSection,
              Invalid(std::string("The \"") + clause +
                      "\" section can only be used once in an update expression;"));
      }
      seen[static_cast<int>(kind)] = true;
      Next();
      do {
        UpdateAction action;
        action.kind = kind;
        DYNAMO_RETURN_IF_ERROR(ParsePath(&action.path));
        if (kind == UpdateAction::Kind::kSet) {
          if (Peek().kind != Tok::kEq) return SyntaxError();
          Next();
          DYNAMO_RETURN_IF_ERROR(ParseSetValue(&action.value));
        } else if (kind != UpdateAction::Kind::kRemove) {
          DYNAMO_RETURN_IF_ERROR(ParseOperand(&action.value, 0));
        }
        out->actions.push_back(std::move(action));
      } while (Accept(Tok::kComma));
    } while (Peek().kind != Tok::kEof);
    DYNAMO_RETURN_IF_ERROR(DeferredErrors());
    out->placeholders = std::move(placeholders_);
    return std::shared_ptr<const ParsedUpdate>(std::move(out));
  }

  // projection := path ( ',' path )*
  Result<std::shared_ptr<const ParsedProjection>> ParseProjectionList() {
    DYNAMO_RETURN_IF_ERROR(CheckLength());
    auto out = std::make_shared<ParsedProjection>();
    do {
      PathAst path;
      DYNAMO_RETURN_IF_ERROR(ParsePath(&path));
      out->paths.push_back(std::move(path));
    } while (Accept(Tok::kComma));
    if (Peek().kind != Tok::kEof) return SyntaxError();
    DYNAMO_RETURN_IF_ERROR(DeferredErrors());
    out->placeholders = std::move(placeholders_);
    return std::shared_ptr<const ParsedProjection>(std::move(out));
  }

 private:
  static constexpr int kMaxDepth = 256;

  // or := and ( OR and )*
  Status ParseOr(Condition* out, int depth) {
    DYNAMO_RETURN_IF_ERROR(ParseAnd(out, depth));
    while (AcceptKeyword("OR")) {
      ++operators_;
      Condition rhs;
      DYNAMO_RETURN_IF_ERROR(ParseAnd(&rhs, depth));
      Condition node;
      node.kind = Condition::Kind::kOr;
      node.children.push_back(std::move(*out));
      node.children.push_back(std::move(rhs));
      *out = std::move(node);
    }
    return Status::Ok();
  }

  // and := not ( AND not )*
  Status ParseAnd(Condition* out, int depth) {
    DYNAMO_RETURN_IF_ERROR(ParseNot(out, depth));
    while (AcceptKeyword("AND")) {
      ++operators_;
      Condition rhs;
      DYNAMO_RETURN_IF_ERROR(ParseNot(&rhs, depth));
      Condition node;
      node.kind = Condition::Kind::kAnd;
      node.children.push_back(std::move(*out));
      node.children.push_back(std::move(rhs));
      *out = std::move(node);
    }
    return Status::Ok();
  }

  // not := NOT not | primary
  Status ParseNot(Condition* out, int depth) {
    if (depth > kMaxDepth) return Invalid("The expression has too many nested levels;");
    if (AcceptKeyword("NOT")) {
      ++operators_;
      Condition inner;
      DYNAMO_RETURN_IF_ERROR(ParseNot(&inner, depth + 1));
      out->kind = Condition::Kind::kNot;
      out->children.push_back(std::move(inner));
      return Status::Ok();
    }
    return ParsePrimary(out, depth);
  }

  // primary := '(' condition ')' | operand comparator operand | operand BETWEEN
  //            operand AND operand | operand IN '(' operand (',' operand)* ')' | function
  Status ParsePrimary(Condition* out, int depth) {
    if (Peek().kind == Tok::kLParen) {
      size_t open = pos_;
      // "(a) = :v" parenthesises an operand, "(a = :v)" a condition: what
      // follows the closing parenthesis decides.
      size_t close = MatchingParen(open);
      if (close + 1 < tokens_.size() && StartsComparison(tokens_[close + 1])) {
        return ParseComparison(out, depth);
      }
      Next();
      DYNAMO_RETURN_IF_ERROR(ParseOr(out, depth + 1));
      if (!Accept(Tok::kRParen)) return SyntaxError();
      // "((a = b))": DynamoDB refuses a parenthesis that only wraps another.
      if (tokens_[open + 1].kind == Tok::kLParen && MatchingParen(open + 1) == pos_ - 2) {
        Defer(kParens, Invalid("The expression has redundant parentheses;"));
      }
      return Status::Ok();
    }
    return ParseComparison(out, depth);
  }

  Status ParseComparison(Condition* out, int depth) {
    Operand lhs;
    DYNAMO_RETURN_IF_ERROR(ParseOperand(&lhs, depth));
    const Token& t = Peek();
    CompareOp op;
    switch (t.kind) {
      case Tok::kEq:
        op = CompareOp::kEq;
        break;
      case Tok::kNe:
        op = CompareOp::kNe;
        break;
      case Tok::kLt:
        op = CompareOp::kLt;
        break;
      case Tok::kLe:
        op = CompareOp::kLe;
        break;
      case Tok::kGt:
        op = CompareOp::kGt;
        break;
      case Tok::kGe:
        op = CompareOp::kGe;
        break;
      default: {
        if (IsKeyword(t, "BETWEEN")) {
          Next();
          ++operators_;
          out->kind = Condition::Kind::kBetween;
          out->operands.push_back(std::move(lhs));
          Operand lo, hi;
          DYNAMO_RETURN_IF_ERROR(ParseOperand(&lo, depth));
          if (!AcceptKeyword("AND")) return SyntaxError();
          DYNAMO_RETURN_IF_ERROR(ParseOperand(&hi, depth));
          out->operands.push_back(std::move(lo));
          out->operands.push_back(std::move(hi));
          return Status::Ok();
        }
        if (IsKeyword(t, "IN")) {
          Next();
          ++operators_;
          out->kind = Condition::Kind::kIn;
          out->operands.push_back(std::move(lhs));
          if (!Accept(Tok::kLParen)) return SyntaxError();
          do {
            Operand v;
            DYNAMO_RETURN_IF_ERROR(ParseOperand(&v, depth));
            out->operands.push_back(std::move(v));
          } while (Accept(Tok::kComma));
          if (!Accept(Tok::kRParen)) return SyntaxError();
          if (out->operands.size() - 1 > kMaxInOperands) {
            Defer(
                kInOperands,
                Invalid("The IN operator is provided with too many operands; number of operands: " +
                        std::to_string(out->operands.size() - 1)));
          }
          return Status::Ok();
        }
        // A bare operand is a condition only when it is a function call.
        if (lhs.kind != Operand::Kind::kFunction) return SyntaxError();
        out->kind = Condition::Kind::kFunction;
        out->operands.push_back(std::move(lhs));
        return Status::Ok();
      }
    }
    Next();
    ++operators_;
    Operand rhs;
    DYNAMO_RETURN_IF_ERROR(ParseOperand(&rhs, depth));
    out->kind = Condition::Kind::kCompare;
    out->op = op;
    out->operands.push_back(std::move(lhs));
    out->operands.push_back(std::move(rhs));
    return Status::Ok();
  }

  bool StartsComparison(const Token& t) const {
    switch (t.kind) {
      case Tok::kEq:
      case Tok::kNe:
      case Tok::kLt:
      case Tok::kLe:
      case Tok::kGt:
      case Tok::kGe:
        return true;
      default:
        return IsKeyword(t, "BETWEEN") || IsKeyword(t, "IN");
    }
  }

  // set-value := '(' set-value ')' | term ( ( '+' | '-' ) term )?
  // DynamoDB accepts the whole value in parentheses, as libraries write
  // counters: SET #p = (if_not_exists(#p, :zero) + :inc). Operands inside it
  // still take none.
  Status ParseSetValue(Operand* out, int depth = 0) {
    if (Peek().kind == Tok::kLParen) {
      if (depth > kMaxDepth) return Invalid("The expression has too many nested levels;");
      Next();
      DYNAMO_RETURN_IF_ERROR(ParseSetValue(out, depth + 1));
      return Accept(Tok::kRParen) ? Status::Ok() : SyntaxError();
    }
    Operand lhs;
    DYNAMO_RETURN_IF_ERROR(ParseOperand(&lhs, 0));
    if (Peek().kind == Tok::kPlus || Peek().kind == Tok::kMinus) {
      bool plus = Peek().kind == Tok::kPlus;
      Next();
      ++operators_;
      Operand rhs;
      DYNAMO_RETURN_IF_ERROR(ParseOperand(&rhs, 0));
      out->kind = plus ? Operand::Kind::kPlus : Operand::Kind::kMinus;
      out->args.push_back(std::move(lhs));
      out->args.push_back(std::move(rhs));
      return Status::Ok();
    }
    *out = std::move(lhs);
    return Status::Ok();
  }

  // operand := path | ':value' | function
  // function := name '(' operand ( ',' operand )* ')'
  Status ParseOperand(Operand* out, int depth) {
    if (depth > kMaxDepth) return Invalid("The expression has too many nested levels;");
    const Token& t = Peek();
    if (t.kind == Tok::kLParen && kind_ != ExpressionKind::kUpdate) {
      size_t open = pos_;
      Next();
      DYNAMO_RETURN_IF_ERROR(ParseOperand(out, depth + 1));
      if (!Accept(Tok::kRParen)) return SyntaxError();
      if (tokens_[open + 1].kind == Tok::kLParen && MatchingParen(open + 1) == pos_ - 2) {
        Defer(kParens, Invalid("The expression has redundant parentheses;"));
      }
      return Status::Ok();
    }
    if (t.kind == Tok::kValuePlaceholder) {
      out->kind = Operand::Kind::kValue;
      out->value = std::string(Text(t));
      placeholders_.values.insert(out->value);
      Next();
      return Status::Ok();
    }
    if (t.kind == Tok::kName && PeekAt(1).kind == Tok::kLParen) {
      std::string_view name = Text(t);
      static const std::pair<const char*, Function> kFunctions[] = {
          {"attribute_exists", Function::kAttributeExists},
          {"attribute_not_exists", Function::kAttributeNotExists},
          {"attribute_type", Function::kAttributeType},
          {"begins_with", Function::kBeginsWith},
          {"contains", Function::kContains},
          {"size", Function::kSize},
          {"if_not_exists", Function::kIfNotExists},
          {"list_append", Function::kListAppend},
      };
      // Function names are case-sensitive in DynamoDB.
      auto it = std::find_if(std::begin(kFunctions), std::end(kFunctions),
                             [&](const auto& f) { return name == f.first; });
      if (it == std::end(kFunctions)) {
        Defer(kFunctionName, Invalid("Invalid function name; function: " + std::string(name)));
      }
      Next();
      Next();
      ++operators_;
      out->kind = Operand::Kind::kFunction;
      out->function = it == std::end(kFunctions) ? Function::kSize : it->second;
      do {
        Operand arg;
        DYNAMO_RETURN_IF_ERROR(ParseOperand(&arg, depth + 1));
        out->args.push_back(std::move(arg));
      } while (Accept(Tok::kComma));
      if (!Accept(Tok::kRParen)) return SyntaxError();
      return Status::Ok();
    }
    out->kind = Operand::Kind::kPath;
    return ParsePath(&out->path);
  }

  // path := element ( '.' element | '[' digits ']' )*
  Status ParsePath(PathAst* out) {
    DYNAMO_RETURN_IF_ERROR(ParseElement(out));
    while (true) {
      if (Accept(Tok::kDot)) {
        DYNAMO_RETURN_IF_ERROR(ParseElement(out));
      } else if (Peek().kind == Tok::kLBracket) {
        Next();
        const Token& n = Peek();
        if (n.kind != Tok::kNumber) return SyntaxError();
        std::string_view digits = Text(n);
        size_t index = 0;
        for (char d : digits) {
          index = index * 10 + static_cast<size_t>(d - '0');
          if (index > 100000000) return SyntaxError();
        }
        Next();
        if (!Accept(Tok::kRBracket)) return SyntaxError();
        out->elements.push_back(PathElementAst{PathElementAst::Kind::kIndex, "", index});
      } else {
        break;
      }
      if (out->elements.size() == kMaxPathDepth + 1) {
        Defer(kPathDepth,
              Invalid("The document path has too many nesting levels; nesting levels: " +
                      std::to_string(out->elements.size())));
      }
    }
    return Status::Ok();
  }

  // element := name | '#name'
  Status ParseElement(PathAst* out) {
    const Token& t = Peek();
    if (t.kind == Tok::kNamePlaceholder) {
      std::string name(Text(t));
      placeholders_.names.insert(name);
      out->elements.push_back(PathElementAst{PathElementAst::Kind::kPlaceholder, name, 0});
      Next();
      return Status::Ok();
    }
    if (t.kind != Tok::kName || IsGrammarKeyword(t)) return SyntaxError();
    std::string_view name = Text(t);
    if (IsReservedWord(name)) {
      Defer(kReservedWord, Invalid("Attribute name is a reserved keyword; reserved keyword: " +
                                   std::string(name)));
    }
    out->elements.push_back(PathElementAst{PathElementAst::Kind::kName, std::string(name), 0});
    Next();
    return Status::Ok();
  }

  Status CheckOperatorCount() {
    if (operators_ > kMaxOperators) {
      return Invalid("The expression contains too many operators; operator count: " +
                     std::to_string(operators_));
    }
    return Status::Ok();
  }

  // Tokens and helpers.
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& PeekAt(size_t k) const { return tokens_[std::min(pos_ + k, tokens_.size() - 1)]; }
  void Next() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }
  bool Accept(Tok k) {
    if (Peek().kind != k) return false;
    Next();
    return true;
  }
  std::string_view Text(const Token& t) const { return text_.substr(t.begin, t.end - t.begin); }
  bool IsKeyword(const Token& t, std::string_view kw) const {
    return t.kind == Tok::kName && EqualsCaseless(Text(t), kw);
  }
  bool AcceptKeyword(std::string_view kw) {
    if (!IsKeyword(Peek(), kw)) return false;
    Next();
    return true;
  }
  bool IsGrammarKeyword(const Token& t) const {
    if (kind_ == ExpressionKind::kProjection) return false;
    for (const char* kw : {"AND", "OR", "NOT", "BETWEEN", "IN"}) {
      if (IsKeyword(t, kw)) return true;
    }
    if (kind_ == ExpressionKind::kUpdate) {
      for (const char* kw : {"SET", "REMOVE", "ADD", "DELETE"}) {
        if (IsKeyword(t, kw)) return true;
      }
    }
    return false;
  }
  // Index of the ')' closing the '(' at `open`, or the EOF token's index.
  size_t MatchingParen(size_t open) const {
    auto it = matching_.find(open);
    return it == matching_.end() ? tokens_.size() - 1 : it->second;
  }

  Error Invalid(std::string detail) const {
    return ValidationError("Invalid " + std::string(ExpressionKindName(kind_)) + ": " + detail);
  }

  // 'Syntax error; token: "<tok>", near: "<near>"': near is the source text
  // from the token before the offending one to the token after it, with the
  // whitespace between them verbatim (DynamoDB's ANTLR error listener).
  Error SyntaxError() const {
    const Token& t = Peek();
    std::string token = t.kind == Tok::kEof ? "<EOF>" : std::string(Text(t));
    size_t begin = pos_ > 0 ? tokens_[pos_ - 1].begin : t.begin;
    size_t end = text_.size();  // at EOF: the previous token and the whitespace after it
    if (t.kind != Tok::kEof) {
      const Token& next = tokens_[pos_ + 1];
      end = next.kind == Tok::kEof ? text_.size() : next.end;
    }
    std::string near(text_.substr(begin, end - begin));
    return Invalid("Syntax error; token: \"" + token + "\", near: \"" + near + "\"");
  }

  std::string_view text_;
  ExpressionKind kind_;
  std::vector<Token> tokens_;
  std::unordered_map<size_t, size_t> matching_;  // '(' index -> ')' index
  size_t pos_ = 0;
  size_t operators_ = 0;
  Placeholders placeholders_;
  std::optional<Error> deferred_[kDeferredKinds];
};

}  // namespace

bool IsReservedWord(std::string_view word) {
  std::string upper(word);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return std::binary_search(std::begin(kReservedWords), std::end(kReservedWords), upper);
}

Result<std::shared_ptr<const ParsedCondition>> ParseCondition(std::string_view text,
                                                              ExpressionKind kind) {
  return Parser(text, kind).ParseConditionExpression();
}

Result<std::shared_ptr<const ParsedUpdate>> ParseUpdate(std::string_view text) {
  return Parser(text, ExpressionKind::kUpdate).ParseUpdateExpression();
}

Result<std::shared_ptr<const ParsedProjection>> ParseProjectionExpression(std::string_view text) {
  return Parser(text, ExpressionKind::kProjection).ParseProjectionList();
}

}  // namespace dynamo::expr
