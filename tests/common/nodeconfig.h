#pragma once

// The Config of a node a test runs in its own process (SwitchboardNode), as the suites start
// one: reachable on loopback only, its files where the test says.

#include "core/config.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Switchboard::Test {

// `engines` only, HTTP on a free port of 127.0.0.1, the local stack's files under `dataDir` (the
// user's data dir when empty).
Config loopbackNodeConfig(const QStringList &engines, const QString &dataDir = {});

// loopbackNodeConfig() for the ingress engine on the test's nats-server under names of its own
// there, so that no other test's events or consumer reach it: stream `name`, subjects
// "<name>.signal.*", consumer "<name>-ingress". Three deliveries at most, retried after 100 ms
// and at most 300 ms apart: a failing endpoint makes a dead letter in well under a second.
Config ingressNodeConfig(const QString &natsUrl, const QString &name,
                         const QList<IngressRoute> &routes, const QString &dataDir);

} // namespace Switchboard::Test
