#pragma once

// The fields of a JSON request body, matched to their names as the Go services matched them.
//
// Go's encoding/json (json.Unmarshal, json.Decoder, and gin's ShouldBindJSON on top of it) fills
// a tagged struct field from the key equal to its name, else from a key equal to it under
// Unicode case folding (decode.go: fields.byExactName, then fields.byFoldedName[foldName(key)]):
// `{"Domain": ...}` filled `json:"domain"`. Every request body Switchboard took over from them was
// decoded that way (README "JSON keys"), so clients that send such keys must keep working.
//
// Where this differs from Go, and why: Go applied the keys in body order, so of several keys
// naming one field the last one won. QJsonObject keeps no order, so here the exact key wins over
// a differently-cased one, and of several differently-cased keys the first in QJsonObject's
// (code-unit) order is taken; the keys not taken are ignored, where Go would have refused the
// body if one of them had the wrong type.

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QStringView>
#include <optional>

namespace Switchboard {

// Whether `key` names the field `name` (ASCII, as every Go struct tag we match is) under Go's
// case folding. Go folds each rune to the smallest rune of its Unicode simple-folding orbit;
// for an ASCII name that accepts ASCII letters in either case and two non-ASCII letters whose
// orbit holds an ASCII one: KELVIN SIGN U+212A (with k and K) and LATIN SMALL LETTER LONG S
// U+017F (with s and S). Nothing else folds to ASCII, so that is all of it.
bool jsonKeyMatchesField(QStringView key, QStringView name);

// The value of the field `name` (ASCII) of `object`: the exact key's, else that of a key
// matching it under jsonKeyMatchesField(). A null counts as absent, as in Go, where a null left
// the field untouched (so `{"domain": null, "Domain": "a.vn"}` is "a.vn" in both). Undefined when
// no key names the field, null when only nulls do.
//
// The exact key is looked up first (a binary search); only when it is missing or null are the
// object's keys scanned, which costs a QString per key (QJsonObject in Qt 6.4 has no key view).
QJsonValue jsonField(const QJsonObject &object, QStringView name);

// A request body parsed as Go's encoding/json read it: bytes that are not UTF-8 inside a string
// (a caller name in Latin-1 from a PBX, a customer name from a Latin-1 database) become U+FFFD
// instead of failing the parse, as Go replaced them; the Go services answered such a body 2xx,
// and a client does not retry a 400. Only the parsed view is changed: ingress publishes and
// forwards the original bytes.
QJsonDocument parseJsonAsGo(const QByteArray &body, QJsonParseError *error = nullptr);

// A request body that must be one JSON object, read as the Go services read it: parseJsonAsGo(),
// then held to what Go refused (jsonSyntaxProblem()). The object, or nothing and in `notJson`
// why the body is not JSON (jsonParseErrorText(), jsonSyntaxProblem()); `notJson` is left empty
// for JSON that is not an object (a string, a number, an array). Each route words the refusal.
std::optional<QJsonObject> parseJsonObjectAsGo(const QByteArray &body, QString *notJson);

// Whether a body QJsonDocument refused is a JSON string, number, true, false or null: Qt 6.4
// takes only an object or an array at the top, and a client that sent "a.vn" or 42 is told that
// the body must be an object, not that it is not JSON.
bool isJsonScalar(const QByteArray &body);

// QJsonDocument's refusal of `body` in words: its own, at a byte offset; but for a body that
// ends before its JSON does, which Qt 6.4 names by whatever it was reading ({"domain":"x" is an
// "unterminated string", [1,2 an "invalid termination by number"), that the JSON is cut short,
// as Go's "unexpected end of JSON input" said.
QString jsonParseErrorText(QByteArrayView body, const QJsonParseError &error);

// What Go's encoding/json refuses and QJsonDocument (Qt 6.4) takes, in a text QJsonDocument has
// parsed: an escape other than \" \\ \/ \b \f \n \r \t \uXXXX (Qt drops the backslash: "\q"
// becomes "q"), a control character (U+0000 to U+001F) unescaped in a string, and a number with
// no digit on one side of its point (1. or .5). Empty when there is none; else which and at what
// byte offset. A client of the Go services got a 400 for each; here the event was accepted, and
// its original bytes then refused by every endpoint that parses JSON strictly.
QString jsonSyntaxProblem(QByteArrayView text);

} // namespace Switchboard
