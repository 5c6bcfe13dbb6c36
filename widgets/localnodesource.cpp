#include "localnodesource.h"

#include "node/switchboardnode.h"

#include <QHostInfo>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// Engines publish four snapshots a second; reading faster would only repeat them.
constexpr int refreshIntervalMs = 250;

} // namespace

LocalNodeSource::LocalNodeSource(SwitchboardNode *node, QObject *parent)
    : NodeSource(parent)
    , m_node(node)
    , m_refresh(this)
{
    connect(&m_refresh, &QTimer::timeout, this, &LocalNodeSource::refresh);
}

QString LocalNodeSource::displayName() const
{
    return tr("this node (%1)").arg(QHostInfo::localHostName());
}

QUrl LocalNodeSource::baseUrl() const
{
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(u"127.0.0.1"_s);
    url.setPort(m_node->httpPort());
    return url;
}

void LocalNodeSource::start()
{
    refresh();
    m_refresh.start(refreshIntervalMs);
}

void LocalNodeSource::refresh()
{
    setStatus(m_node->status());
}

void LocalNodeSource::request(const QByteArray &method, const QString &path, QObject *context,
                              Reply reply)
{
    // The node's own REST API on loopback, which needs no token: the same calls a remote
    // console makes, so the actions are written and tested once.
    httpRequest({}, method, path, context, std::move(reply));
}

} // namespace Switchboard
