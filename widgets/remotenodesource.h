#pragma once

// A headless node elsewhere, reached only through its HTTP API: a WebSocket on
// /api/v1/stream brings its status document a few times a second; REST calls carry the API
// token. A node that stops answering turns Unreachable (after a few seconds without a status it
// can read, or at once when the connection fails), one that refuses the token turns Refused,
// and both are retried forever, less often the longer they stay so (2 s, doubling up to 15 s).

#include "nodesource.h"

#include <QTimer>

class QWebSocket;

namespace Switchboard {

class RemoteNodeSource : public NodeSource
{
    Q_OBJECT

public:
    // `baseUrl`: http(s)://host:port; `token`: the node's api.token, empty on loopback.
    RemoteNodeSource(const QUrl &baseUrl, const QByteArray &token, QObject *parent = nullptr);
    ~RemoteNodeSource() override;

    QString displayName() const override;
    QUrl baseUrl() const override { return m_baseUrl; }
    // The token the console sends, for the operator to change it (Edit node): never logged.
    QByteArray token() const { return m_token; }
    bool isLocal() const override { return false; }
    void start() override;
    void connectNow() override;
    void request(const QByteArray &method, const QString &path, QObject *context,
                 Reply reply) override;

private:
    void connectStream();
    void streamMessage(const QString &message);
    void streamRefused(const QString &reason);
    void streamLost(const QString &reason, Reachability reachability = Reachability::Unreachable);
    void dropSocket();
    // The wait before the next connectStream(): longer with each attempt since the last status.
    int retryDelayMs() const;

    QUrl m_baseUrl;
    QByteArray m_token;
    QWebSocket *m_socket = nullptr;
    bool m_streamOpen = false; // the handshake of m_socket succeeded
    quint64 m_attempt = 0; // connectStream() calls: a refusal's answer is for the latest only
    int m_attemptsSinceStatus = 0; // connectStream() calls since the last status: the backoff
    // What the stream sent that is not a status, for the reason shown when none came.
    QString m_unreadable;
    QTimer m_silence; // no status for this long: unreachable
    QTimer m_retry;
};

} // namespace Switchboard
