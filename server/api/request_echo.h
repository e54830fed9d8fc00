// How DynamoDB echoes a request's collections in a constraint message: the
// Java toString of its request model, e.g. for BatchWriteItem's RequestItems
//
//   {t=[WriteRequest(putRequest=PutRequest(item={pk=AttributeValue(s=a,
//   n=null, ..., bOOL=null)}, workloadProfileName=null), deleteRequest=null)]}
//
// DynamoDB renders an echoed collection either with each object's fields
// (as above) or as ClassName@hash, where the hash differs on every call;
// this renders the fields, the deterministic one. Map entries come in the
// order the request gave them (Java's order is its HashMap's).
#pragma once

#include <string>

#include "server/api/json.h"

namespace dynamo::server {

// One WriteRequest of BatchWriteItem, as given (not yet validated).
std::string EchoWriteRequest(const JsonValue& write_request);

}  // namespace dynamo::server
