#include "nodeconfig.h"

#include "serverprocess.h"

#include <QHostAddress>

namespace Switchboard::Test {

Config loopbackNodeConfig(const QStringList &engines, const QString &dataDir)
{
    Config config;
    config.engines = engines;
    config.server.port = freeLoopbackPort();
    config.server.bindAddress = QHostAddress::LocalHost;
    config.localStack.dataDir = dataDir;
    return config;
}

Config ingressNodeConfig(const QString &natsUrl, const QString &name,
                         const QList<IngressRoute> &routes, const QString &dataDir)
{
    Config config = loopbackNodeConfig({QStringLiteral("ingress")}, dataDir);
    config.nats.url = natsUrl;
    config.nats.configured = true;
    config.nats.streamName = name;
    config.nats.subjectPattern = name + QStringLiteral(".signal.*");
    config.nats.consumerName = name + QStringLiteral("-ingress");
    config.nats.maxDeliveries = 3;
    config.ingress.routes = routes;
    config.ingress.retryDelay = Milliseconds(100);
    config.ingress.retryMaxDelay = Milliseconds(300);
    return config;
}

} // namespace Switchboard::Test
