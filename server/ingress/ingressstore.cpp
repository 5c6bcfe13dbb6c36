#include "ingressstore.h"

#include "ingressevent.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

IngressStore::IngressStore(NatsClient *nats, const NatsConfig &natsConfig,
                           const IngressConfig &config, QObject *parent)
    : QObject(parent)
    , m_nats(nats)
    , m_natsConfig(natsConfig)
    , m_config(config)
    , m_deadLetterStream(config.deadLetterStreamName(natsConfig))
    , m_deadLetterPrefix("switchboard.dead." + m_deadLetterStream.toUtf8() + '.')
    , m_bucket(config.deliveredBucketName(natsConfig))
{
    m_consumer.stream = natsConfig.streamName;
    m_consumer.durable = natsConfig.consumerName;
    m_consumer.filterSubject = natsConfig.subjectPattern;
    // Outside every stream's subjects, so that JetStream never stores its own deliveries.
    m_consumer.deliverSubject =
        u"_SWITCHBOARD.deliver.%1.%2"_s.arg(natsConfig.streamName, natsConfig.consumerName);
    m_consumer.deliverGroup = natsConfig.consumerName;
    m_consumer.ackWait = natsConfig.ackWait;
    // No JetStream limit: the engine counts the attempts it made (in KV) and dead-letters after
    // max_deliveries of them. JetStream's count also grows for deliveries that never reached
    // an endpoint (released when a node stops, expired while a node died); with MaxDeliver at
    // max_deliveries such an event would just stop being delivered, with no dead letter an
    // operator could see.
    m_consumer.maxDeliver = -1;
    m_consumer.maxAckPending = config.maxInFlight;
}

QByteArray IngressStore::deliveredSubject(const QByteArray &deliveryKey) const
{
    return "$KV." + m_bucket.toUtf8() + '.' + deliveryKey;
}

QByteArray IngressStore::deadLetterSubject(const QString &domain) const
{
    return m_deadLetterPrefix + domainToken(domain);
}

bool IngressStore::setup(QString *error)
{
    NatsStreamSpec events;
    events.name = m_natsConfig.streamName;
    events.subjects = {m_natsConfig.subjectPattern};
    events.maxAge = m_natsConfig.maxAge;
    NatsStreamSpec deadLetters;
    deadLetters.name = m_deadLetterStream;
    deadLetters.subjects = {QString::fromUtf8(m_deadLetterPrefix) + u'*'};
    deadLetters.maxMessages = m_config.deadLetterMaxMessages;
    NatsStreamSpec delivered;
    delivered.name = u"KV_"_s + m_bucket;
    delivered.subjects = {u"$KV.%1.>"_s.arg(m_bucket)};
    // Long enough for every redelivery and a replay weeks later; gone after the event itself.
    delivered.maxAge = m_natsConfig.maxAge;
    delivered.keyValueLayout = true;
    // A consumer created on a stream that already holds events (the Event Hub's, when a team
    // migrates) starts with new events: the history was the Go service's to deliver, and
    // forwarding it all again would flood every endpoint with old calls.
    bool hadEvents = false;
    qint64 streamCreatedNs = 0;
    QString dropsOldest;
    if (!m_nats->ensureStream(events, error, &hadEvents, &streamCreatedNs, &dropsOldest))
        return false;
    // An operator's limits with DiscardOld: once the stream is full JetStream drops its oldest
    // events to take a new one, delivered or not, and one accepted with 202 that was waiting
    // for a retry is gone without a dead letter. DiscardNew refuses the new one instead (503).
    if (!dropsOldest.isEmpty())
        qCWarning(lcIngress).noquote()
            << "stream" << events.name << "has" << dropsOldest
            << "with discard old: once full, JetStream drops its oldest events even if they were "
               "not delivered yet (accepted, then lost without a dead letter); set discard new "
               "(`nats stream edit"
            << events.name << "--discard new`) so that POST /events answers 503 instead";

    NatsConsumerSpec consumer = m_consumer;
    if (!m_ackFloor) {
        consumer.deliverNew = hadEvents;
    } else if (streamCreatedNs <= m_floorConsumerCreatedNs) {
        // The stream the consumer this node saw was on: go on from where that consumer was.
        consumer.startSequence = *m_ackFloor + 1;
    } else {
        // The stream was deleted and made again since (by an operator, or by a node after NATS
        // lost its store): everything in it came after, none of it was delivered.
        m_ackFloor.reset();
    }
    if (!m_nats->ensureStream(deadLetters, error) || !m_nats->ensureStream(delivered, error)
        || !m_nats->ensureConsumer(consumer, error))
        return false;
    QString ignored; // the engine's next check tries again
    checkConsumer(&ignored);
    return true;
}

std::optional<NatsConsumerState> IngressStore::checkConsumer(QString *error)
{
    std::optional<NatsConsumerState> state =
        m_nats->consumerState(m_consumer.stream, m_consumer.durable, error);
    if (state && state->found) {
        // Where a consumer made again starts: after everything acked. JetStream's ack floor is
        // 0 until the first ack, even for a consumer that started with new messages (after a Go
        // Event Hub's history). Then a floor this consumer had when nothing waited for an ack
        // stays true; for one seen for the first time (made by another node), the last
        // delivered less what waits is the floor when its stream holds nothing but ours.
        const bool sameConsumer = m_ackFloor && state->createdNs == m_floorConsumerCreatedNs;
        if (state->ackPending == 0)
            m_ackFloor = state->delivered;
        else if (state->ackFloor > 0)
            m_ackFloor = state->ackFloor;
        else if (!sameConsumer)
            m_ackFloor = state->delivered - qMin<quint64>(state->delivered, state->ackPending);
        m_floorConsumerCreatedNs = state->createdNs;
    }
    return state;
}

QByteArray IngressStore::encodeRecord(const DeliveryRecord &record)
{
    QJsonObject delivered;
    for (auto it = record.delivered.begin(); it != record.delivered.end(); ++it)
        delivered.insert(it.key(), it.value());
    return QJsonDocument(
               QJsonObject {{u"attempts"_s, record.attempts}, {u"delivered"_s, delivered}})
        .toJson(QJsonDocument::Compact);
}

std::optional<DeliveryRecord> IngressStore::record(const QByteArray &deliveryKey, QString *error)
{
    const auto stored =
        m_nats->lastMessage(u"KV_"_s + m_bucket, deliveredSubject(deliveryKey), error);
    if (!stored)
        return error->isEmpty() ? std::optional(DeliveryRecord()) : std::nullopt;
    DeliveryRecord result;
    const QJsonObject object = QJsonDocument::fromJson(stored->data).object();
    result.attempts = object.value(u"attempts"_s).toInt();
    const QJsonObject delivered = object.value(u"delivered"_s).toObject();
    for (auto it = delivered.begin(); it != delivered.end(); ++it)
        result.delivered.insert(it.key(), it.value().toInt());
    return result;
}

std::optional<IngressStore::Page> IngressStore::deadLetters(int limit, quint64 before,
                                                            QString *error)
{
    const std::optional<NatsStreamState> state = m_nats->streamState(m_deadLetterStream, error);
    if (!state)
        return std::nullopt;
    Page page;
    page.total = state->messages;
    if (state->messages == 0)
        return page;
    quint64 sequence = before == 0 ? state->lastSequence : qMin(before - 1, state->lastSequence);
    // Deleted dead letters leave gaps in the sequence; the probe budget bounds a walk over a
    // stream that is mostly gaps (the next page goes on from where this one stopped).
    int probes = limit * 20 + 100;
    while (sequence >= state->firstSequence && sequence > 0 && page.letters.size() < limit
           && probes-- > 0) {
        const auto stored = m_nats->message(m_deadLetterStream, sequence, error);
        if (!error->isEmpty())
            return std::nullopt;
        if (stored)
            page.letters.append(DeadLetter::fromStored(*stored));
        --sequence;
    }
    page.nextBefore = sequence >= state->firstSequence && sequence > 0 ? sequence + 1 : 0;
    return page;
}

std::optional<DeadLetter> IngressStore::deadLetter(quint64 id, QString *error, QString *bodyError)
{
    const auto stored = m_nats->message(m_deadLetterStream, id, error);
    if (!stored)
        return std::nullopt;
    DeadLetter letter = DeadLetter::fromStored(*stored);
    if (letter.bodyOmitted) {
        // Gone from the event stream (max_age): the record says so by itself.
        QString fetchError;
        if (const auto event =
                m_nats->message(m_natsConfig.streamName, letter.sourceSequence, &fetchError))
            letter.body = event->data;
        if (bodyError)
            *bodyError = fetchError;
    }
    return letter;
}

bool IngressStore::removeDeadLetter(quint64 id, QString *error)
{
    return m_nats->deleteMessage(m_deadLetterStream, id, error);
}

IngressStore::Replay IngressStore::replay(quint64 id)
{
    Replay replay;
    QString error;
    QString bodyError;
    const std::optional<DeadLetter> letter = deadLetter(id, &error, &bodyError);
    if (!letter) {
        replay.published.error = error;
        return replay;
    }
    replay.found = true;
    replay.letter = *letter;
    if (letter->bodyOmitted && letter->body.isEmpty()) {
        // Replaying would forward an empty body under the event's id. Out of reach for now (NATS
        // did not answer), or gone for good?
        if (!bodyError.isEmpty()) {
            replay.published.error =
                u"the event's body is in stream %1, which did not answer: %2"_s.arg(
                    m_natsConfig.streamName, bodyError);
            return replay;
        }
        replay.bodyGone = true;
        replay.published.error =
            u"its body was too large to keep with the record and is no longer in stream %1 "
            "(sequence %2 aged out): nothing to replay"_s.arg(m_natsConfig.streamName)
                .arg(letter->sourceSequence);
        return replay;
    }
    const QByteArray subject = letter->subject.isEmpty()
        ? eventSubject(m_natsConfig.subjectPattern, letter->domain)
        : letter->subject;
    const QByteArray key = letter->deliveryKey.isEmpty() ? newId() : letter->deliveryKey;
    // The record of the delivery key starts again: no attempts made, and the endpoints that
    // had the event (the last attempt's successes were never stored: the event was
    // dead-lettered instead), so the replay calls only the others.
    DeliveryRecord record;
    for (const EndpointOutcome &endpoint : letter->endpoints) {
        if (endpoint.delivered)
            record.delivered.insert(endpoint.url, endpoint.attempts);
    }
    const NatsPublishResult stored =
        m_nats->publishAndWait(deliveredSubject(key), {}, encodeRecord(record));
    if (!stored.ok) {
        replay.published = stored;
        return replay;
    }
    replay.published =
        m_nats->publishAndWait(subject,
                               {{IngressHeader::deliveryKey, key},
                                {IngressHeader::eventId, letter->eventId},
                                {IngressHeader::domain, letter->domain.toUtf8()},
                                {IngressHeader::replayOf, QByteArray::number(id)},
                                // Two replays of one dead letter at once (two
                                // consoles, a double click): JetStream keeps one.
                                {"Nats-Msg-Id", "replay-" + key + '-' + QByteArray::number(id)}},
                               letter->body);
    // Removed only once the new delivery is safely stored: a failed replay leaves the dead
    // letter where it was.
    if (replay.published.ok && !removeDeadLetter(id, &error) && !error.isEmpty())
        qCWarning(lcIngress).noquote()
            << "dead letter" << id << "replayed as" << replay.published.sequence
            << "but could not be removed:" << error;
    return replay;
}

} // namespace Switchboard
