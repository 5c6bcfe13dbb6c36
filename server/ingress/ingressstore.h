#pragma once

#include "core/config.h"
#include "deadletter.h"
#include "nats/natsclient.h"

#include <QMap>
#include <QObject>
#include <optional>

namespace Switchboard {

// Which endpoints already answered 2xx for one delivery key, and on which attempt.
using DeliveredEndpoints = QMap<QString, int>;

// What the KV bucket keeps per delivery key: the attempts made (forwards that ran to the end)
// and who has the event. Attempts are counted here rather than by JetStream's delivery count,
// which also counts deliveries that never reached an endpoint (released at a node's stop,
// expired while a node was dying).
struct DeliveryRecord
{
    int attempts = 0;
    DeliveredEndpoints delivered;
};

// Ingress' JetStream layout and its blocking API calls. Lives in a thread of its own (the
// "store thread"), so that stream set-up, KV reads and the dead-letter REST calls never stall
// the engine's deliveries or the HTTP thread. Every call is bounded by the NATS API timeout.
//
// Layout (names derive from nats.stream_name unless configured):
// - the event stream (nats.stream_name on nats.subject_pattern) and its durable push consumer
//   (nats.consumer_name, deliver group of the same name: nodes share it);
// - "<stream>-dead-letters" on "switchboard.dead.<that name>.<domain token>";
// - KV bucket "<stream>-delivered": delivery key -> attempts made and endpoints that answered
//   2xx, so a redelivery on any node calls only the others and counts on.
class IngressStore : public QObject
{
    Q_OBJECT
public:
    IngressStore(NatsClient *nats, const NatsConfig &natsConfig, const IngressConfig &config,
                 QObject *parent = nullptr);

    NatsConsumerSpec consumerSpec() const { return m_consumer; }
    QByteArray deliveredSubject(const QByteArray &deliveryKey) const;
    QByteArray deadLetterSubject(const QString &domain) const;
    QString deadLetterStream() const { return m_deadLetterStream; }

    // Streams, bucket and consumer: created or brought up to date. A consumer this store saw
    // before (checkConsumer()) that is gone now, deleted on the server, is made again from
    // where it was, not from new events: nothing accepted meanwhile is skipped, and what was
    // acked since the last check may reach its endpoints a second time.
    bool setup(QString *error);
    // The consumer as JetStream sees it now; remembers how far it had got (m_ackFloor).
    std::optional<NatsConsumerState> checkConsumer(QString *error);
    // An empty record when there is none; nullopt with the error when KV cannot be read.
    std::optional<DeliveryRecord> record(const QByteArray &deliveryKey, QString *error);
    static QByteArray encodeRecord(const DeliveryRecord &record);

    struct Page
    {
        QList<DeadLetter> letters; // newest first
        quint64 nextBefore = 0; // pass as `before` for the next page; 0: no more
        quint64 total = 0; // dead letters in the stream
    };
    // `before` = 0: from the newest.
    std::optional<Page> deadLetters(int limit, quint64 before, QString *error);
    // nullopt with an empty error: no such dead letter. A letter kept without its body gets it
    // from the event stream; `bodyError` (when given) says why that failed, and stays empty when
    // the event is simply gone.
    std::optional<DeadLetter> deadLetter(quint64 id, QString *error, QString *bodyError = nullptr);
    // False with an empty error: no such dead letter.
    bool removeDeadLetter(quint64 id, QString *error);

    struct Replay
    {
        bool found = false;
        bool bodyGone = false; // kept without its body, which has left the event stream too
        NatsPublishResult published;
        DeadLetter letter;
    };
    // Publishes the event again as a new delivery (same delivery key: endpoints that had it are
    // not called again), then removes the dead letter.
    Replay replay(quint64 id);

private:
    NatsClient *m_nats;
    NatsConfig m_natsConfig;
    IngressConfig m_config;
    NatsConsumerSpec m_consumer;
    QString m_deadLetterStream;
    QByteArray m_deadLetterPrefix; // "switchboard.dead.<stream>."
    QString m_bucket;
    std::optional<quint64> m_ackFloor; // everything up to it acked, when last seen
    qint64 m_floorConsumerCreatedNs = 0; // the consumer m_ackFloor is of
};

} // namespace Switchboard
