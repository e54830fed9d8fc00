// A hand-written recursive-descent parser for DynamoDB's expression language.
//
// Grammar (keywords case-insensitive; one function per rule in parser.cc):
//
//   condition   := or
//   or          := and ( OR and )*
//   and         := not ( AND not )*
//   not         := NOT not | primary
//   primary     := '(' condition ')'
//                | operand comparator operand
//                | operand BETWEEN operand AND operand
//                | operand IN '(' operand ( ',' operand )* ')'
//                | function                      -- a boolean function call
//   comparator  := '=' | '<>' | '<' | '<=' | '>' | '>='
//   operand     := path | ':value' | function
//   function    := name '(' operand ( ',' operand )* ')'
//   path        := element ( '.' element | '[' digits ']' )*
//   element     := name | '#name'
//
//   update      := ( SET set-action ( ',' set-action )*
//                  | REMOVE path ( ',' path )*
//                  | ADD path operand ( ',' path operand )*
//                  | DELETE path operand ( ',' path operand )* )+   -- each clause once
//   set-action  := path '=' term ( ( '+' | '-' ) term )?
//   term        := operand                      -- if_not_exists / list_append allowed here
//
//   projection  := path ( ',' path )*
//
// Parse errors carry DynamoDB's messages, prefixed "Invalid <Kind>: ".
// Limits enforced here: expression length (4 KB), path depth (32 levels),
// IN operands (100), operators (300), and a recursion depth guard.
//
// Thread-safe: parsing has no shared state.
#pragma once

#include <memory>
#include <string_view>

#include "expr/ast.h"
#include "core/error.h"

namespace dynamo::expr {

// The parameter an expression came from; used in error messages.
enum class ExpressionKind {
  kCondition,     // ConditionExpression
  kFilter,        // FilterExpression
  kKeyCondition,  // KeyConditionExpression
  kUpdate,        // UpdateExpression
  kProjection,    // ProjectionExpression
};
const char* ExpressionKindName(ExpressionKind kind);

core::Result<std::shared_ptr<const ParsedCondition>> ParseCondition(std::string_view text,
                                                                    ExpressionKind kind);
core::Result<std::shared_ptr<const ParsedUpdate>> ParseUpdate(std::string_view text);
core::Result<std::shared_ptr<const ParsedProjection>> ParseProjectionExpression(
    std::string_view text);

// DynamoDB's reserved words (uppercase); true when `word` is one of them,
// compared case-insensitively.
bool IsReservedWord(std::string_view word);

inline constexpr size_t kMaxExpressionLength = 4096;
inline constexpr size_t kMaxPathDepth = 32;
inline constexpr size_t kMaxInOperands = 100;
inline constexpr size_t kMaxOperators = 300;

}  // namespace dynamo::expr
