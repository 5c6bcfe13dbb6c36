#include "remotenodesource.h"

#include <QJsonDocument>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QWebSocket>
#include <algorithm>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// A node sends its status four times a second: three seconds without one is not a hiccup.
constexpr int silenceMs = 3000;
// A node back after a restart is seen within seconds; one down for the night is asked four
// times a minute, not thirty; and the consoles of a NOC that lost a site do not all knock at
// once when it returns (STYLE.md: every retry backs off with jitter and a cap).
constexpr int firstRetryMs = 2000;
constexpr int maxRetryMs = 15000;
// A status is tens of KiB (the engines' figures and the node's last 200 log records). Without a
// limit QWebSocket takes messages of up to 2 GiB, which something else on the node's address,
// or a node gone wrong, would make the console hold in memory (twice, as UTF-16 and UTF-8).
constexpr qint64 maxStatusBytes = 16 * 1024 * 1024;
// Enough of an unreadable message for the operator to recognise who sends it.
constexpr qsizetype unreadableSampleChars = 60;

} // namespace

RemoteNodeSource::RemoteNodeSource(const QUrl &baseUrl, const QByteArray &token, QObject *parent)
    : NodeSource(parent)
    , m_baseUrl(baseUrl)
    , m_token(token)
    , m_silence(this)
    , m_retry(this)
{
    m_silence.setSingleShot(true);
    m_silence.setInterval(silenceMs);
    connect(&m_silence, &QTimer::timeout, this, [this] {
        streamLost(m_unreadable.isEmpty() ? tr("no status for %1 s").arg(silenceMs / 1000)
                                          : m_unreadable);
    });
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &RemoteNodeSource::connectStream);
}

RemoteNodeSource::~RemoteNodeSource()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QString RemoteNodeSource::displayName() const
{
    const int defaultPort = m_baseUrl.scheme() == u"https" ? 443 : 80;
    return m_baseUrl.host() + u':' + QString::number(m_baseUrl.port(defaultPort));
}

void RemoteNodeSource::start()
{
    connectStream();
}

void RemoteNodeSource::connectNow()
{
    // An attempt under way (a slow handshake) goes on rather than starting over.
    if (!isLost() || m_socket)
        return;
    m_retry.stop();
    // Asked by the operator: the automatic attempts that follow wait no longer for it.
    m_attemptsSinceStatus = std::max(0, m_attemptsSinceStatus - 1);
    connectStream();
}

void RemoteNodeSource::request(const QByteArray &method, const QString &path, QObject *context,
                               Reply reply)
{
    httpRequest(m_token, method, path, context, std::move(reply));
}

void RemoteNodeSource::connectStream()
{
    dropSocket();
    ++m_attempt;
    ++m_attemptsSinceStatus;
    m_streamOpen = false;
    m_unreadable.clear();
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setMaxAllowedIncomingFrameSize(maxStatusBytes);
    m_socket->setMaxAllowedIncomingMessageSize(maxStatusBytes);
    connect(m_socket, &QWebSocket::connected, this, [this] { m_streamOpen = true; });
    connect(m_socket, &QWebSocket::textMessageReceived, this, &RemoteNodeSource::streamMessage);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        QString reason =
            m_socket->closeReason().isEmpty() ? m_socket->errorString() : m_socket->closeReason();
        // QWebSocket closes the stream itself on a message over the limit, in its own words.
        if (m_socket->closeCode() == QWebSocketProtocol::CloseCodeTooMuchData)
            reason = tr("it sent a status of over %1 MiB, more than the console reads")
                         .arg(maxStatusBytes / (1024 * 1024));
        if (reason.isEmpty())
            reason = tr("connection closed");
        if (m_streamOpen)
            streamLost(reason);
        else
            streamRefused(reason);
    });
    QUrl url = m_baseUrl;
    url.setScheme(m_baseUrl.scheme() == u"https" ? u"wss"_s : u"ws"_s);
    url.setPath(u"/api/v1/stream"_s);
    QNetworkRequest request(url);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    m_socket->open(request);
    m_silence.start();
}

void RemoteNodeSource::streamMessage(const QString &message)
{
    // Only a status is a sign of life: something else answering on the node's address (another
    // service, a proxy's page, a node of another kind) must not hold the node at "connecting…",
    // or at its last figures without a word that they are old.
    const QJsonObject status = QJsonDocument::fromJson(message.toUtf8()).object();
    if (!status.value(u"engines"_s).isObject()) {
        QString sample = message.left(unreadableSampleChars).simplified();
        if (message.size() > unreadableSampleChars)
            sample += u'…';
        m_unreadable = tr("it sends something other than a status: \"%1\"").arg(sample);
        return;
    }
    m_silence.start();
    m_unreadable.clear();
    m_attemptsSinceStatus = 0;
    setStatus(status);
}

// The stream ended before its handshake did: nothing listens, or the node answered the upgrade
// with something else than 101, of which QWebSocket keeps only its own words ("Unhandled http
// status code: 403"). A refused token is what the operator must read then, not that the node
// does not answer: the same token on /api/v1/status says so, in the node's words, and the node
// turns Refused rather than Unreachable. The silence timer still runs should that call hang.
void RemoteNodeSource::streamRefused(const QString &reason)
{
    dropSocket();
    const quint64 attempt = m_attempt;
    httpRequest(m_token, "GET", u"/api/v1/status"_s, this,
                [this, attempt, reason](int status, const QJsonObject &body) {
                    if (attempt != m_attempt)
                        return; // a later attempt is under way
                    // The node answers, its stream does not come through: a proxy in front of
                    // it that does not pass WebSocket upgrades, most often.
                    if (status == 200)
                        return streamLost(tr("it answers /api/v1/status, but its WebSocket "
                                             "stream was refused (%1): a proxy in front of it "
                                             "that does not pass WebSocket upgrades?")
                                              .arg(reason));
                    if (status != 401 && status != 403)
                        return streamLost(reason);
                    // 401: the console sent no token; 403: not the node's (or the node has
                    // none, so it lets no remote console in).
                    QString detail = body.value(u"detail"_s).toString();
                    if (detail.isEmpty())
                        detail = body.value(u"error"_s).toString();
                    streamLost(detail.isEmpty() ? QString::number(status)
                                                : u"%1: %2"_s.arg(QString::number(status), detail),
                               Reachability::Refused);
                });
}

void RemoteNodeSource::streamLost(const QString &reason, Reachability reachability)
{
    m_silence.stop();
    dropSocket();
    setReachability(reachability, reason);
    m_retry.start(retryDelayMs());
}

int RemoteNodeSource::retryDelayMs() const
{
    const int doublings = std::clamp(m_attemptsSinceStatus - 1, 0, 4);
    const int delay = std::min(firstRetryMs << doublings, maxRetryMs);
    // ±20 %.
    return delay * (80 + QRandomGenerator::global()->bounded(41)) / 100;
}

void RemoteNodeSource::dropSocket()
{
    if (!m_socket)
        return;
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
}

} // namespace Switchboard
