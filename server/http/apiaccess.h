#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Switchboard {

struct HttpRequest;
class HttpResponder;

// The /api/v1/* rule (DESIGN.md, HTTP surface): loopback clients freely; any other client
// needs "Authorization: Bearer <api.token>" (constant-time compare) and gets 403 when no token
// is configured. A request from loopback that a proxy forwarded (Forwarded, X-Forwarded-For,
// X-Real-IP: a reverse proxy on the same host) is the public's, not a loopback client's.

// a == b without telling a timing attacker how many bytes were right.
bool sameSecret(QByteArrayView given, QByteArrayView expected);

// The decision alone: 0 when allowed, else the HTTP status to refuse with (401 or 403).
int apiAccessStatus(const HttpRequest &request, const QByteArray &token);
// The polling engine's internal publish routes (DESIGN.md, contract details): with a token
// configured (INTERNAL_API_TOKEN) every client must send it as a Bearer token, loopback
// included; without one only loopback clients are answered, and not what a proxy forwarded
// (Forwarded, X-Forwarded-For, X-Real-IP). 0, 401 (no token sent) or 403.
int internalAccessStatus(const HttpRequest &request, const QByteArray &token);

// Answers the refusal and returns false, or returns true without answering.
bool authorizeApi(const HttpRequest &request, HttpResponder &responder, const QByteArray &token);

} // namespace Switchboard
