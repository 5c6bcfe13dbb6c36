#pragma once

#include <QByteArray>

namespace Switchboard {

struct HttpRequest;
class HttpResponder;

// The /api/v1/* rule (DESIGN.md, HTTP surface): loopback clients freely; any other client
// needs "Authorization: Bearer <api.token>" (constant-time compare) and gets 403 when no token
// is configured.

// The decision alone: 0 when allowed, else the HTTP status to refuse with (401 or 403).
int apiAccessStatus(const HttpRequest &request, const QByteArray &token);
// Answers the refusal and returns false, or returns true without answering.
bool authorizeApi(const HttpRequest &request, HttpResponder &responder, const QByteArray &token);

} // namespace Switchboard
