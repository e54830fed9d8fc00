#include "expr/partiql.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "core/messages.h"

namespace dynamo::expr::partiql {

using core::AttributeValue;
using core::Error;
using core::Result;
using core::Status;

namespace {

// Nesting of literals and conditions, checked so that recursion on request
// text is bounded (DynamoDB's own item nesting limit is 32).
constexpr int kMaxDepth = 64;

struct Token {
  enum class Kind { kEnd, kWord, kQuoted, kString, kNumber, kSymbol, kParameter };
  Kind kind = Kind::kEnd;
  std::string text;  // kWord as written; kQuoted/kString unquoted; kSymbol the symbol
  size_t line = 1, column = 1;
};

Error Malformed(std::string_view detail = "") {
  return core::ValidationError(std::string(kMalformed) + std::string(detail));
}

bool WordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Splits the statement into tokens; comments are dropped.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    for (;;) {
      DYNAMO_RETURN_IF_ERROR(SkipSpaceAndComments());
      Token t;
      t.line = line_;
      t.column = column_;
      if (pos_ >= text_.size()) {
        out.push_back(t);
        return out;
      }
      DYNAMO_RETURN_IF_ERROR(Next(t));
      out.push_back(std::move(t));
    }
  }

 private:
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void Advance(size_t n = 1) {
    for (size_t i = 0; i < n && pos_ < text_.size(); ++i, ++pos_) {
      if (text_[pos_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
    }
  }

  Status SkipSpaceAndComments() {
    for (;;) {
      if (std::isspace(static_cast<unsigned char>(Peek()))) {
        Advance();
      } else if (Peek() == '-' && Peek(1) == '-') {
        while (pos_ < text_.size() && Peek() != '\n') Advance();
      } else if (Peek() == '/' && Peek(1) == '*') {
        const size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) return Malformed();
        Advance(end + 2 - pos_);
      } else {
        return Status::Ok();
      }
    }
  }

  // A quoted token: ' strings and " identifiers, the quote doubled inside.
  Status Quoted(char quote, Token& t) {
    Advance();
    for (;;) {
      if (pos_ >= text_.size()) return Malformed();
      if (Peek() == quote && Peek(1) == quote) {
        t.text += quote;
        Advance(2);
      } else if (Peek() == quote) {
        Advance();
        return Status::Ok();
      } else {
        t.text += Peek();
        Advance();
      }
    }
  }

  void Number(Token& t) {
    t.kind = Token::Kind::kNumber;
    auto digits = [&] {
      while (std::isdigit(static_cast<unsigned char>(Peek()))) {
        t.text += Peek();
        Advance();
      }
    };
    digits();
    if (Peek() == '.') {
      t.text += '.';
      Advance();
      digits();
    }
    if ((Peek() == 'e' || Peek() == 'E') && (std::isdigit(static_cast<unsigned char>(Peek(1))) ||
                                             ((Peek(1) == '+' || Peek(1) == '-') &&
                                              std::isdigit(static_cast<unsigned char>(Peek(2)))))) {
      t.text += Peek();
      t.text += Peek(1);
      Advance(2);
      digits();
    }
  }

  Status Next(Token& t) {
    const char c = Peek();
    if (c == '\'') {
      t.kind = Token::Kind::kString;
      return Quoted('\'', t);
    }
    if (c == '"') {
      t.kind = Token::Kind::kQuoted;
      return Quoted('"', t);
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1))))) {
      Number(t);
      return Status::Ok();
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      t.kind = Token::Kind::kWord;
      while (WordChar(Peek())) {
        t.text += Peek();
        Advance();
      }
      return Status::Ok();
    }
    if (c == '?') {
      t.kind = Token::Kind::kParameter;
      t.text = "?";
      Advance();
      return Status::Ok();
    }
    static constexpr std::string_view kTwo[] = {"<<", ">>", "<>", "!=", "<=", ">="};
    t.kind = Token::Kind::kSymbol;
    for (std::string_view two : kTwo) {
      if (text_.substr(pos_, 2) == two) {
        t.text = std::string(two);
        Advance(2);
        return Status::Ok();
      }
    }
    if (std::string_view("=<>+-*,.[](){}:;").find(c) == std::string_view::npos) return Malformed();
    t.text = std::string(1, c);
    Advance();
    return Status::Ok();
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1, column_ = 1;
};

// Recursive descent over the tokens into a Statement.
class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<Statement> Run() {
    const std::string first = Upper(Cur().text);
    if (Cur().kind != Token::Kind::kWord) return Malformed("Expected data manipulation");
    if (first == "SELECT") {
      DYNAMO_RETURN_IF_ERROR(Select());
    } else if (first == "INSERT") {
      DYNAMO_RETURN_IF_ERROR(Insert());
    } else if (first == "UPDATE") {
      DYNAMO_RETURN_IF_ERROR(Update());
    } else if (first == "DELETE") {
      DYNAMO_RETURN_IF_ERROR(Delete());
    } else if (first == "FROM") {
      DYNAMO_RETURN_IF_ERROR(FromFirstUpdate());
    } else if (first == "EXISTS") {
      DYNAMO_RETURN_IF_ERROR(Exists());
    } else {
      return Malformed("Expected data manipulation");
    }
    if (IsSymbol(";")) ++i_;
    if (Cur().kind != Token::Kind::kEnd) return Malformed("Unexpected token after expression");
    return std::move(s_);
  }

 private:
  const Token& Cur() const { return t_[i_]; }
  const Token& Ahead(size_t n) const { return t_[std::min(i_ + n, t_.size() - 1)]; }
  bool IsSymbol(std::string_view sym) const {
    return Cur().kind == Token::Kind::kSymbol && Cur().text == sym;
  }
  bool IsWord(std::string_view word) const {
    return Cur().kind == Token::Kind::kWord && Upper(Cur().text) == word;
  }
  Status ExpectWord(std::string_view word) {
    if (!IsWord(word)) return Malformed();
    ++i_;
    return Status::Ok();
  }
  Status ExpectSymbol(std::string_view sym) {
    if (!IsSymbol(sym)) return Malformed();
    ++i_;
    return Status::Ok();
  }

  // A table or attribute name: a bare word or a "quoted" one.
  Result<std::string> Name() {
    if (Cur().kind == Token::Kind::kQuoted) {
      if (Cur().text.empty()) {
        return core::ValidationError("Path component cannot be an empty string");
      }
      return t_[i_++].text;
    }
    if (Cur().kind != Token::Kind::kWord) return Malformed();
    return t_[i_++].text;
  }

  Result<PathAst> Path() {
    PathAst path;
    DYNAMO_ASSIGN_OR_RETURN(std::string first, Name());
    path.elements.push_back({PathElementAst::Kind::kName, std::move(first), 0});
    for (;;) {
      if (IsSymbol(".")) {
        ++i_;
        if (Cur().kind == Token::Kind::kSymbol && Cur().text == "*") {
          return core::ValidationError("Changing item's hierarchy while reading isn't supported");
        }
        // A keyword of PartiQL's joins cannot be a bare path component.
        if (IsWord("INNER")) return Malformed("Invalid path dot component");
        DYNAMO_ASSIGN_OR_RETURN(std::string name, Name());
        path.elements.push_back({PathElementAst::Kind::kName, std::move(name), 0});
      } else if (IsSymbol("[")) {
        ++i_;
        if (Cur().kind != Token::Kind::kNumber ||
            Cur().text.find_first_not_of("0123456789") != std::string::npos ||
            Cur().text.size() > 9) {
          return Malformed();
        }
        path.elements.push_back({PathElementAst::Kind::kIndex, "", std::stoul(t_[i_++].text)});
        DYNAMO_RETURN_IF_ERROR(ExpectSymbol("]"));
      } else {
        return path;
      }
    }
  }

  // FROM "T" or "T"."Index".
  Status Source() {
    DYNAMO_ASSIGN_OR_RETURN(s_.table, Name());
    if (IsSymbol(".")) {
      ++i_;
      DYNAMO_ASSIGN_OR_RETURN(std::string index, Name());
      s_.index = std::move(index);
      if (IsSymbol(".")) {
        return core::ValidationError("A path may contain at most 2 components in the FROM clause");
      }
    }
    // "T" AS t, or "T" t: any name after the source that starts no clause.
    static constexpr std::string_view kClauses[] = {"WHERE", "SET",   "REMOVE", "ORDER",
                                                    "LIMIT", "GROUP", "HAVING", "RETURNING"};
    const bool clause = std::any_of(std::begin(kClauses), std::end(kClauses),
                                    [&](std::string_view w) { return IsWord(w); });
    if (Cur().kind == Token::Kind::kQuoted || (Cur().kind == Token::Kind::kWord && !clause)) {
      return core::ValidationError("Aliasing is not supported");
    }
    return Status::Ok();
  }

  // ---- Literals ----

  Result<size_t> AddLiteral(Literal literal) {
    s_.literals.push_back(std::move(literal));
    return s_.literals.size() - 1;
  }

  static bool StartsLiteral(const Token& t) {
    if (t.kind == Token::Kind::kString || t.kind == Token::Kind::kNumber ||
        t.kind == Token::Kind::kParameter) {
      return true;
    }
    if (t.kind == Token::Kind::kSymbol) {
      return t.text == "[" || t.text == "{" || t.text == "<<" || t.text == "-";
    }
    if (t.kind == Token::Kind::kWord) {
      const std::string w = Upper(t.text);
      return w == "TRUE" || w == "FALSE" || w == "NULL";
    }
    return false;
  }

  // A number as written: one BigDecimal cannot read is malformed; one out of
  // DynamoDB's range names where it stands ("under root.m[1]").
  Result<AttributeValue> NumberLiteral(const std::string& text) const {
    auto n = core::Number::Parse(text, core::NumberReading::kBigDecimal);
    if (n.ok()) return AttributeValue::N(std::move(n).value());
    if (n.error().message.rfind("The parameter cannot be converted", 0) == 0) return Malformed();
    return core::ValidationError(n.error().message + " under " + path_);
  }

  Result<Literal> Scalar() {
    Literal l;
    const Token& t = Cur();
    if (t.kind == Token::Kind::kParameter) {
      l.kind = Literal::Kind::kParameter;
      l.parameter = s_.parameter_count++;
    } else if (t.kind == Token::Kind::kString) {
      l.scalar = AttributeValue::S(t.text);
    } else if (t.kind == Token::Kind::kNumber ||
               (t.kind == Token::Kind::kSymbol && t.text == "-")) {
      std::string text;
      if (t.kind == Token::Kind::kSymbol) {
        text = "-";
        ++i_;
        if (Cur().kind != Token::Kind::kNumber) return Malformed();
      }
      text += Cur().text;
      DYNAMO_ASSIGN_OR_RETURN(l.scalar, NumberLiteral(text));
    } else {
      const std::string w = Upper(t.text);
      l.scalar = w == "NULL" ? AttributeValue::MakeNull() : AttributeValue::Bool(w == "TRUE");
    }
    ++i_;
    return l;
  }

  // A comma-separated sequence of literals up to the closing symbol; a
  // list's items are named by their index in messages.
  Status Items(std::string_view close, int depth, bool indexed, std::vector<Literal>& items) {
    if (IsSymbol(close)) {
      ++i_;
      return Status::Ok();
    }
    for (;;) {
      const size_t outer = path_.size();
      if (indexed) path_ += "[" + std::to_string(items.size()) + "]";
      auto item = Value(depth + 1);
      path_.resize(outer);
      if (!item.ok()) return std::move(item).error();
      items.push_back(std::move(item).value());
      if (IsSymbol(close)) {
        ++i_;
        return Status::Ok();
      }
      DYNAMO_RETURN_IF_ERROR(ExpectSymbol(","));
    }
  }

  Result<Literal> Value(int depth) {
    if (depth > kMaxDepth) {
      return core::ValidationError(
          "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
          "levels beyond supported limit");
    }
    Literal l;
    if (IsSymbol("[") || IsSymbol("<<")) {
      const bool set = IsSymbol("<<");
      l.kind = set ? Literal::Kind::kSet : Literal::Kind::kList;
      ++i_;
      DYNAMO_RETURN_IF_ERROR(Items(set ? ">>" : "]", depth, !set, l.items));
      return l;
    }
    if (IsSymbol("{")) {
      l.kind = Literal::Kind::kMap;
      ++i_;
      // An INSERT's item is no value: each of its attributes is a root.
      const bool item = std::exchange(item_root_, false);
      if (IsSymbol("}")) {
        ++i_;
        return l;
      }
      for (;;) {
        if (Cur().kind != Token::Kind::kString) return Malformed();
        std::string key = t_[i_++].text;
        DYNAMO_RETURN_IF_ERROR(ExpectSymbol(":"));
        const size_t outer = path_.size();
        if (!item) path_ += "." + key;
        auto value = Value(depth + 1);
        path_.resize(outer);
        if (!value.ok()) return std::move(value).error();
        Literal member = std::move(value).value();
        if (std::find(l.names.begin(), l.names.end(), key) != l.names.end()) {
          return core::ValidationError("Duplicate keys in tuple. Key: " + key + " under root");
        }
        l.names.push_back(std::move(key));
        l.items.push_back(std::move(member));
        if (IsSymbol("}")) {
          ++i_;
          return l;
        }
        DYNAMO_RETURN_IF_ERROR(ExpectSymbol(","));
      }
    }
    if (Cur().kind == Token::Kind::kWord && Ahead(1).kind == Token::Kind::kSymbol &&
        Ahead(1).text == "(") {
      return core::ValidationError("Unsupported data type: " + Lower(Cur().text) +
                                   " under key root" + At(Cur()));
    }
    if (!StartsLiteral(Cur())) return Malformed();
    return Scalar();
  }

  Result<Operand> ValueOperand(int depth) {
    DYNAMO_ASSIGN_OR_RETURN(Literal l, Value(depth));
    DYNAMO_ASSIGN_OR_RETURN(size_t index, AddLiteral(std::move(l)));
    Operand o;
    o.kind = Operand::Kind::kValue;
    o.value = ":" + std::to_string(index);
    return o;
  }

  // ---- Conditions ----

  static std::optional<Function> ConditionFunction(std::string_view upper) {
    if (upper == "BEGINS_WITH") return Function::kBeginsWith;
    if (upper == "CONTAINS") return Function::kContains;
    if (upper == "ATTRIBUTE_TYPE") return Function::kAttributeType;
    if (upper == "ATTRIBUTE_EXISTS") return Function::kAttributeExists;
    if (upper == "ATTRIBUTE_NOT_EXISTS") return Function::kAttributeNotExists;
    return std::nullopt;
  }

  // " at line:column:length" of a token, as DynamoDB places some errors.
  static std::string At(const Token& t) {
    return " at " + std::to_string(t.line) + ":" + std::to_string(t.column) + ":" +
           std::to_string(t.text.size());
  }

  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  Error UnrecognizedFunction() const {
    return core::ValidationError("Unrecognized function: " + Lower(Cur().text) + At(Cur()));
  }

  // A path, a literal, a `?` or size(path).
  Result<Operand> Term(int depth) {
    if (depth > kMaxDepth) return Malformed();
    if (Cur().kind == Token::Kind::kEnd) return Malformed("Unexpected term");
    if (Cur().kind == Token::Kind::kWord && Ahead(1).kind == Token::Kind::kSymbol &&
        Ahead(1).text == "(") {
      if (Upper(Cur().text) != "SIZE") return UnrecognizedFunction();
      i_ += 2;
      Operand f;
      f.kind = Operand::Kind::kFunction;
      f.function = Function::kSize;
      DYNAMO_ASSIGN_OR_RETURN(Operand arg, Term(depth + 1));
      f.args.push_back(std::move(arg));
      DYNAMO_RETURN_IF_ERROR(ExpectSymbol(")"));
      return f;
    }
    if (StartsLiteral(Cur())) return ValueOperand(depth);
    if (IsWord("MISSING"))
      return core::ValidationError("MISSING must be compared using IS operator");
    Operand o;
    o.kind = Operand::Kind::kPath;
    DYNAMO_ASSIGN_OR_RETURN(o.path, Path());
    return o;
  }

  Result<Condition> FunctionCondition(Function f, int depth) {
    i_ += 2;  // name (
    Operand call;
    call.kind = Operand::Kind::kFunction;
    call.function = f;
    if (!IsSymbol(")")) {
      for (;;) {
        DYNAMO_ASSIGN_OR_RETURN(Operand arg, Term(depth + 1));
        call.args.push_back(std::move(arg));
        if (!IsSymbol(",")) break;
        ++i_;
      }
    }
    DYNAMO_RETURN_IF_ERROR(ExpectSymbol(")"));
    Condition c;
    c.kind = Condition::Kind::kFunction;
    c.operands.push_back(std::move(call));
    return c;
  }

  // f(...) = true | false (or <>): the function's condition, or its negation.
  Result<Condition> ComparedWithBoolean(Condition c) {
    auto op = Comparison(Cur());
    if (!op || (*op != CompareOp::kEq && *op != CompareOp::kNe)) return c;
    const Token& value = Ahead(1);
    const std::string word = value.kind == Token::Kind::kWord ? Upper(value.text) : "";
    if (word != "TRUE" && word != "FALSE") return c;
    i_ += 2;
    if ((*op == CompareOp::kEq) == (word == "TRUE")) return c;
    Condition n;
    n.kind = Condition::Kind::kNot;
    n.children.push_back(std::move(c));
    return n;
  }

  static std::optional<CompareOp> Comparison(const Token& t) {
    if (t.kind != Token::Kind::kSymbol) return std::nullopt;
    if (t.text == "=") return CompareOp::kEq;
    if (t.text == "<>" || t.text == "!=") return CompareOp::kNe;
    if (t.text == "<") return CompareOp::kLt;
    if (t.text == "<=") return CompareOp::kLe;
    if (t.text == ">") return CompareOp::kGt;
    if (t.text == ">=") return CompareOp::kGe;
    return std::nullopt;
  }

  // The attribute type an IS type check names.
  static std::optional<std::string_view> TypeName(std::string_view upper) {
    if (upper == "BOOLEAN" || upper == "BOOL") return "BOOL";
    if (upper == "NUMERIC" || upper == "DECIMAL") return "N";
    if (upper == "STRING") return "S";
    if (upper == "BLOB") return "B";
    if (upper == "STRUCT" || upper == "TUPLE") return "M";
    if (upper == "LIST") return "L";
    return std::nullopt;
  }

  // x IS [NOT] BOOLEAN | NUMERIC | ...: attribute_type(x, 'T'), negated.
  Result<Condition> TypeCheck(Operand subject, std::string_view type, bool negated) {
    if (subject.kind != Operand::Kind::kPath) {
      return core::ValidationError(
          "Operator or function requires a document path; operator or function: IS");
    }
    Literal name;
    name.scalar = AttributeValue::S(std::string(type));
    DYNAMO_ASSIGN_OR_RETURN(size_t index, AddLiteral(std::move(name)));
    Operand value;
    value.kind = Operand::Kind::kValue;
    value.value = ":" + std::to_string(index);
    Operand call;
    call.kind = Operand::Kind::kFunction;
    call.function = Function::kAttributeType;
    call.args = {std::move(subject), std::move(value)};
    Condition c;
    c.kind = Condition::Kind::kFunction;
    c.operands.push_back(std::move(call));
    if (!negated) return c;
    Condition n;
    n.kind = Condition::Kind::kNot;
    n.children.push_back(std::move(c));
    return n;
  }

  // x IS [NOT] MISSING | NULL | a type
  Result<Condition> IsPredicate(Operand subject) {
    ++i_;  // IS
    bool negated = false;
    if (IsWord("NOT")) {
      negated = true;
      ++i_;
    }
    Condition c;
    if (IsWord("MISSING")) {
      ++i_;
      if (subject.kind != Operand::Kind::kPath) {
        return core::ValidationError(
            "Operator or function requires a document path; operator or function: IS");
      }
      Operand call;
      call.kind = Operand::Kind::kFunction;
      call.function = negated ? Function::kAttributeExists : Function::kAttributeNotExists;
      call.args.push_back(std::move(subject));
      c.kind = Condition::Kind::kFunction;
      c.operands.push_back(std::move(call));
      return c;
    }
    if (auto type = TypeName(Upper(Cur().text)); type && Cur().kind == Token::Kind::kWord) {
      ++i_;
      return TypeCheck(std::move(subject), *type, negated);
    }
    if (!IsWord("NULL")) return Malformed();
    ++i_;
    Literal null;
    DYNAMO_ASSIGN_OR_RETURN(size_t index, AddLiteral(std::move(null)));
    Operand value;
    value.kind = Operand::Kind::kValue;
    value.value = ":" + std::to_string(index);
    c.kind = Condition::Kind::kCompare;
    c.op = negated ? CompareOp::kNe : CompareOp::kEq;
    c.operands = {std::move(subject), std::move(value)};
    return c;
  }

  Result<Condition> Predicate(int depth) {
    if (depth > kMaxDepth) return Malformed();
    if (IsSymbol("(")) {
      ++i_;
      DYNAMO_ASSIGN_OR_RETURN(Condition inner, Or(depth + 1));
      DYNAMO_RETURN_IF_ERROR(ExpectSymbol(")"));
      return inner;
    }
    if (Cur().kind == Token::Kind::kWord && Ahead(1).kind == Token::Kind::kSymbol &&
        Ahead(1).text == "(") {
      if (auto f = ConditionFunction(Upper(Cur().text))) {
        DYNAMO_ASSIGN_OR_RETURN(Condition c, FunctionCondition(*f, depth));
        return ComparedWithBoolean(std::move(c));
      }
      if (Upper(Cur().text) != "SIZE") return UnrecognizedFunction();
    }
    DYNAMO_ASSIGN_OR_RETURN(Operand left, Term(depth));
    Condition c;
    if (auto op = Comparison(Cur())) {
      ++i_;
      DYNAMO_ASSIGN_OR_RETURN(Operand right, Term(depth));
      c.kind = Condition::Kind::kCompare;
      c.op = *op;
      c.operands = {std::move(left), std::move(right)};
      return c;
    }
    if (IsWord("IS")) return IsPredicate(std::move(left));
    if (IsWord("BETWEEN")) {
      ++i_;
      DYNAMO_ASSIGN_OR_RETURN(Operand low, Term(depth));
      DYNAMO_RETURN_IF_ERROR(ExpectWord("AND"));
      DYNAMO_ASSIGN_OR_RETURN(Operand high, Term(depth));
      c.kind = Condition::Kind::kBetween;
      c.operands = {std::move(left), std::move(low), std::move(high)};
      return c;
    }
    if (IsWord("IN")) {
      ++i_;
      c.kind = Condition::Kind::kIn;
      c.operands.push_back(std::move(left));
      if (!IsSymbol("[") || (Ahead(1).kind == Token::Kind::kSymbol && Ahead(1).text == "]")) {
        return core::ValidationError(
            "IN operator must have a left hand argument of type Variable Reference and right "
            "hand argument of type Seq with at least one member");
      }
      ++i_;
      for (;;) {
        DYNAMO_ASSIGN_OR_RETURN(Operand member, ValueOperand(depth + 1));
        c.operands.push_back(std::move(member));
        if (IsSymbol("]")) break;
        DYNAMO_RETURN_IF_ERROR(ExpectSymbol(","));
      }
      ++i_;
      return c;
    }
    return core::ValidationError(
        "WHERE clause must contain an expression that resolves to a boolean");
  }

  Result<Condition> Not(int depth) {
    if (depth > kMaxDepth) return Malformed();
    if (!IsWord("NOT")) return Predicate(depth);
    ++i_;
    DYNAMO_ASSIGN_OR_RETURN(Condition inner, Not(depth + 1));
    Condition c;
    c.kind = Condition::Kind::kNot;
    c.children.push_back(std::move(inner));
    return c;
  }

  Result<Condition> Binary(int depth, std::string_view word, Condition::Kind kind,
                           Result<Condition> (Parser::*operand)(int)) {
    DYNAMO_ASSIGN_OR_RETURN(Condition left, (this->*operand)(depth));
    // Each AND or OR deepens the tree built: it counts as a level.
    while (IsWord(word)) {
      if (++depth > kMaxDepth) return Malformed();
      ++i_;
      DYNAMO_ASSIGN_OR_RETURN(Condition right, (this->*operand)(depth));
      Condition c;
      c.kind = kind;
      c.children.push_back(std::move(left));
      c.children.push_back(std::move(right));
      left = std::move(c);
    }
    return left;
  }
  Result<Condition> And(int depth) {
    return Binary(depth, "AND", Condition::Kind::kAnd, &Parser::Not);
  }
  Result<Condition> Or(int depth) {
    return Binary(depth, "OR", Condition::Kind::kOr, &Parser::And);
  }

  Status Where(bool required) {
    if (!IsWord("WHERE")) {
      if (required) return Malformed();
      return Status::Ok();
    }
    ++i_;
    DYNAMO_ASSIGN_OR_RETURN(Condition c, Or(0));
    s_.where = std::move(c);
    return Status::Ok();
  }

  // ---- Statements ----

  Status Select() {
    s_.kind = Statement::Kind::kSelect;
    ++i_;
    if (IsWord("DISTINCT"))
      return core::ValidationError("Unsupported token in expression: DISTINCT");
    if (IsSymbol("*")) {
      ++i_;
      s_.select_all = true;
    } else {
      for (;;) {
        if (Cur().kind == Token::Kind::kWord && Ahead(1).kind == Token::Kind::kSymbol &&
            Ahead(1).text == "(") {
          // A function (COUNT(*), attribute_exists(a)): refused once the
          // table is known (after an index PartiQL cannot read).
          if (!s_.projection_error) s_.projection_error = "Unexpected path component" + At(Cur());
          DYNAMO_RETURN_IF_ERROR(SkipCall());
          if (!IsSymbol(",")) break;
          ++i_;
          continue;
        }
        DYNAMO_ASSIGN_OR_RETURN(PathAst path, Path());
        if (IsWord("AS")) return core::ValidationError("Aliasing is not supported");
        s_.projection.push_back(std::move(path));
        if (!IsSymbol(",")) break;
        ++i_;
      }
    }
    DYNAMO_RETURN_IF_ERROR(ExpectWord("FROM"));
    DYNAMO_RETURN_IF_ERROR(Source());
    DYNAMO_RETURN_IF_ERROR(Where(false));
    DYNAMO_RETURN_IF_ERROR(OrderBy());
    if (IsWord("LIMIT") || IsWord("HAVING")) {
      return core::ValidationError("Unsupported clause: " + Upper(Cur().text));
    }
    if (IsWord("GROUP")) return core::ValidationError("Unsupported clause: GROUP BY");
    return Status::Ok();
  }

  // name( ... ): skipped, its parentheses balanced.
  Status SkipCall() {
    ++i_;  // the name; the "(" is counted below
    int depth = 0;
    do {
      if (Cur().kind == Token::Kind::kEnd) return Malformed("Unexpected term");
      if (IsSymbol("(")) ++depth;
      if (IsSymbol(")")) --depth;
      ++i_;
    } while (depth > 0);
    return Status::Ok();
  }

  // ORDER BY name [ASC | DESC], ...
  Status OrderBy() {
    if (!IsWord("ORDER")) return Status::Ok();
    ++i_;
    DYNAMO_RETURN_IF_ERROR(ExpectWord("BY"));
    s_.has_order_by = true;
    for (;;) {
      OrderKey key;
      DYNAMO_ASSIGN_OR_RETURN(key.name, Name());
      if (IsWord("ASC") || IsWord("DESC")) key.descending = Upper(t_[i_++].text) == "DESC";
      s_.order_by.push_back(std::move(key));
      if (!IsSymbol(",")) return Status::Ok();
      ++i_;
    }
  }

  // EXISTS(SELECT * FROM "T" WHERE ...): a condition check.
  Status Exists() {
    ++i_;
    DYNAMO_RETURN_IF_ERROR(ExpectSymbol("("));
    if (!IsWord("SELECT")) return Malformed();
    DYNAMO_RETURN_IF_ERROR(Select());
    DYNAMO_RETURN_IF_ERROR(ExpectSymbol(")"));
    s_.kind = Statement::Kind::kExists;
    return Status::Ok();
  }

  // FROM "T" WHERE condition SET ... [RETURNING ...]: an UPDATE written
  // FROM first.
  Status FromFirstUpdate() {
    s_.kind = Statement::Kind::kUpdate;
    ++i_;
    DYNAMO_RETURN_IF_ERROR(Source());
    if (s_.index) return core::ValidationError("This operation is not supported on an index");
    DYNAMO_RETURN_IF_ERROR(Where(true));
    DYNAMO_RETURN_IF_ERROR(UpdateClauses());
    return Returning(false);
  }

  Status Insert() {
    s_.kind = Statement::Kind::kInsert;
    ++i_;
    DYNAMO_RETURN_IF_ERROR(ExpectWord("INTO"));
    DYNAMO_ASSIGN_OR_RETURN(s_.table, Name());
    if (IsSymbol(".")) return Malformed("FROM clause may only contain a single table name");
    if (Cur().kind != Token::Kind::kEnd && !IsWord("VALUE") && !IsWord("VALUES")) {
      return Malformed("Unexpected token after expression");
    }
    if (IsWord("VALUES")) {
      return core::ValidationError(
          "Unsupported operation: Inserting multiple items in a single statement is not "
          "supported, use \"INSERT INTO tableName VALUE item\" instead");
    }
    DYNAMO_RETURN_IF_ERROR(ExpectWord("VALUE"));
    if (!IsSymbol("{")) {
      return core::ValidationError(
          "Unsupported format in item expression. Please use struct format {...} to express "
          "item values for insert statement.");
    }
    item_root_ = true;
    DYNAMO_ASSIGN_OR_RETURN(Literal item, Value(0));
    DYNAMO_ASSIGN_OR_RETURN(size_t index, AddLiteral(std::move(item)));
    s_.insert_item = index;
    if (IsWord("RETURNING")) return core::ValidationError("RETURNING is not supported in INSERT");
    return Status::Ok();
  }

  // set_add(path, value) / set_delete(path, value) as ADD / DELETE of target:
  // exactly two arguments, the first the target itself, the second a set
  // (a literal one, or a parameter).
  Status SetFunction(const PathAst& target, UpdateAction::Kind kind) {
    const Token function = Cur();
    const std::string name = Upper(function.text);
    i_ += 2;
    const Token first_token = Cur();
    std::optional<PathAst> first;
    std::vector<Literal> values;  // the arguments after the first
    if (first_token.kind == Token::Kind::kWord || first_token.kind == Token::Kind::kQuoted) {
      DYNAMO_ASSIGN_OR_RETURN(first, Path());
    } else {
      auto literal = Value(1);  // refused below, once the arguments are counted
      if (!literal.ok()) return std::move(literal).error();
    }
    while (IsSymbol(",")) {
      ++i_;
      DYNAMO_ASSIGN_OR_RETURN(Literal v, Value(1));
      values.push_back(std::move(v));
    }
    DYNAMO_RETURN_IF_ERROR(ExpectSymbol(")"));
    if (values.size() != 1) {
      return core::ValidationError(name + " must have exactly two arguments" + At(function));
    }
    if (!first || !SamePath(*first, target)) {
      return core::ValidationError("The first argument to " + name +
                                   " must equal the assignment value" + At(function));
    }
    if (values[0].kind != Literal::Kind::kSet && values[0].kind != Literal::Kind::kParameter) {
      return core::ValidationError("The second argument to " + name +
                                   " must be a value with type SET" + At(first_token));
    }
    DYNAMO_ASSIGN_OR_RETURN(size_t index, AddLiteral(std::move(values[0])));
    Operand value;
    value.kind = Operand::Kind::kValue;
    value.value = ":" + std::to_string(index);
    s_.actions.push_back(UpdateAction{kind, target, std::move(value)});
    return Status::Ok();
  }

  static bool SamePath(const PathAst& a, const PathAst& b) {
    return std::equal(a.elements.begin(), a.elements.end(), b.elements.begin(), b.elements.end(),
                      [](const PathElementAst& x, const PathElementAst& y) {
                        return x.kind == y.kind && x.name == y.name && x.index == y.index;
                      });
  }

  // path = term, where term is an operand, a sum or difference of two,
  // list_append(a, b), set_add(path, v) or set_delete(path, v).
  Status Assignment() {
    DYNAMO_ASSIGN_OR_RETURN(PathAst target, Path());
    DYNAMO_RETURN_IF_ERROR(ExpectSymbol("="));
    if (Cur().kind == Token::Kind::kWord && Ahead(1).kind == Token::Kind::kSymbol &&
        Ahead(1).text == "(") {
      const std::string name = Upper(Cur().text);
      if (name == "SET_ADD") return SetFunction(target, UpdateAction::Kind::kAdd);
      if (name == "SET_DELETE") return SetFunction(target, UpdateAction::Kind::kDelete);
      if (name == "LIST_APPEND") {
        i_ += 2;
        Operand f;
        f.kind = Operand::Kind::kFunction;
        f.function = Function::kListAppend;
        DYNAMO_ASSIGN_OR_RETURN(Operand a, Term(1));
        DYNAMO_RETURN_IF_ERROR(ExpectSymbol(","));
        DYNAMO_ASSIGN_OR_RETURN(Operand b, Term(1));
        DYNAMO_RETURN_IF_ERROR(ExpectSymbol(")"));
        f.args = {std::move(a), std::move(b)};
        s_.actions.push_back(
            UpdateAction{UpdateAction::Kind::kSet, std::move(target), std::move(f)});
        return Status::Ok();
      }
      return UnrecognizedFunction();
    }
    DYNAMO_ASSIGN_OR_RETURN(Operand value, Term(1));
    if (IsSymbol("+") || IsSymbol("-")) {
      Operand sum;
      sum.kind = IsSymbol("+") ? Operand::Kind::kPlus : Operand::Kind::kMinus;
      ++i_;
      DYNAMO_ASSIGN_OR_RETURN(Operand right, Term(1));
      sum.args = {std::move(value), std::move(right)};
      value = std::move(sum);
    }
    s_.actions.push_back(
        UpdateAction{UpdateAction::Kind::kSet, std::move(target), std::move(value)});
    return Status::Ok();
  }

  Status UpdateClauses() {
    bool any = false;
    for (;;) {
      if (IsWord("SET")) {
        ++i_;
        for (;;) {
          DYNAMO_RETURN_IF_ERROR(Assignment());
          if (!IsSymbol(",")) break;
          ++i_;
        }
      } else if (IsWord("REMOVE")) {
        ++i_;
        for (;;) {
          DYNAMO_ASSIGN_OR_RETURN(PathAst path, Path());
          s_.actions.push_back(UpdateAction{UpdateAction::Kind::kRemove, std::move(path), {}});
          if (!IsSymbol(",")) break;
          ++i_;
        }
      } else {
        return any ? Status::Ok() : Malformed();
      }
      any = true;
    }
  }

  Status Returning(bool delete_statement) {
    if (!IsWord("RETURNING")) return Status::Ok();
    ++i_;
    const bool all = IsWord("ALL");
    if (!all && !IsWord("MODIFIED")) return Malformed();
    ++i_;
    const bool old = IsWord("OLD");
    if (!old && !IsWord("NEW")) return Malformed();
    ++i_;
    if (!IsSymbol("*")) {
      return core::ValidationError(
          "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
    }
    ++i_;
    s_.returning = all ? (old ? Returning::kAllOld : Returning::kAllNew)
                       : (old ? Returning::kModifiedOld : Returning::kModifiedNew);
    if (delete_statement && s_.returning != Returning::kAllOld) {
      return core::ValidationError(std::string("Invalid returning clause: RETURNING ") +
                                   (all ? "ALL" : "MODIFIED") + (old ? " OLD" : " NEW") +
                                   " *. Only RETURNING ALL OLD * is allowed in DELETE statements.");
    }
    return Status::Ok();
  }

  Status Update() {
    s_.kind = Statement::Kind::kUpdate;
    ++i_;
    DYNAMO_RETURN_IF_ERROR(Source());
    if (s_.index) return core::ValidationError("This operation is not supported on an index");
    DYNAMO_RETURN_IF_ERROR(UpdateClauses());
    DYNAMO_RETURN_IF_ERROR(Where(true));
    return Returning(false);
  }

  Status Delete() {
    s_.kind = Statement::Kind::kDelete;
    ++i_;
    DYNAMO_RETURN_IF_ERROR(ExpectWord("FROM"));
    DYNAMO_RETURN_IF_ERROR(Source());
    if (s_.index) return core::ValidationError("This operation is not supported on an index");
    DYNAMO_RETURN_IF_ERROR(Where(true));
    return Returning(true);
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  Statement s_;
  std::string path_ = "root";  // where the literal being read stands
  bool item_root_ = false;     // the next map read is an INSERT's item
};

// The value of a literal, its parameters bound.
Result<AttributeValue> Bind(const Literal& l, const std::vector<AttributeValue>& parameters) {
  switch (l.kind) {
    case Literal::Kind::kScalar:
      return l.scalar;
    case Literal::Kind::kParameter:
      return parameters[l.parameter];
    case Literal::Kind::kList: {
      core::ValueList items;
      for (const Literal& item : l.items) {
        DYNAMO_ASSIGN_OR_RETURN(AttributeValue v, Bind(item, parameters));
        items.push_back(std::move(v));
      }
      return AttributeValue::L(std::move(items));
    }
    case Literal::Kind::kMap: {
      core::ValueMap members;
      for (size_t i = 0; i < l.items.size(); ++i) {
        DYNAMO_ASSIGN_OR_RETURN(AttributeValue v, Bind(l.items[i], parameters));
        members.emplace(l.names[i], std::move(v));
      }
      return AttributeValue::M(std::move(members));
    }
    case Literal::Kind::kSet:
      break;
  }
  if (l.items.empty()) return core::ValidationError("Empty bags are not supported");
  std::vector<std::string> strings;
  std::vector<core::Number> numbers;
  for (const Literal& item : l.items) {
    if (item.kind != Literal::Kind::kScalar ||
        (item.scalar.type() != core::ValueType::kS && item.scalar.type() != core::ValueType::kN)) {
      return core::ValidationError(
          "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
    }
    if (item.scalar.type() == core::ValueType::kS) {
      strings.push_back(item.scalar.s());
    } else {
      numbers.push_back(item.scalar.n());
    }
  }
  if (!strings.empty() && !numbers.empty()) {
    return core::ValidationError(
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
  }
  // A repeated member, named as written.
  bool repeated = false;
  for (size_t i = 0; i < strings.size() && !repeated; ++i) {
    repeated = std::find(strings.begin() + i + 1, strings.end(), strings[i]) != strings.end();
  }
  for (size_t i = 0; i < numbers.size() && !repeated; ++i) {
    repeated = std::find(numbers.begin() + i + 1, numbers.end(), numbers[i]) != numbers.end();
  }
  if (repeated) {
    std::string list;
    for (const Literal& item : l.items) {
      list += (list.empty() ? "" : ", ") + (item.scalar.type() == core::ValueType::kS
                                                ? item.scalar.s()
                                                : item.scalar.n().ToString());
    }
    return core::InvalidParameter("Input collection [" + list + "] contains duplicates.");
  }
  return strings.empty() ? AttributeValue::NS(std::move(numbers))
                         : AttributeValue::SS(std::move(strings));
}

}  // namespace

Result<Statement> Parse(std::string_view text) {
  DYNAMO_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lexer(text).Run());
  return Parser(std::move(tokens)).Run();
}

Result<core::ValueMap> BindLiterals(const Statement& s,
                                    const std::vector<AttributeValue>& parameters) {
  if (parameters.size() != s.parameter_count) {
    return core::ValidationError("Number of parameters in request and statement don't match.");
  }
  core::ValueMap values;
  for (size_t i = 0; i < s.literals.size(); ++i) {
    DYNAMO_ASSIGN_OR_RETURN(AttributeValue v, Bind(s.literals[i], parameters));
    values.emplace(":" + std::to_string(i), std::move(v));
  }
  return values;
}

}  // namespace dynamo::expr::partiql
