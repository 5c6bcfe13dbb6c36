#include "natsclient.h"

#include "natseventloop.h"
#include "natsoptions.h"

#include <QDeadlineTimer>
#include <QMetaObject>
#include <QThread>
#include <QUrl>
#include <cstdlib>
#include <nats/nats.h>
#include <vector>

Q_LOGGING_CATEGORY(Switchboard::lcNats, "switchboard.nats")

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 nsPerMs = 1000 * 1000;

NatsHeaders headersOf(natsMsg *message)
{
    NatsHeaders headers;
    const char **keys = nullptr;
    int count = 0;
    if (natsMsgHeader_Keys(message, &keys, &count) != NATS_OK)
        return headers;
    for (int i = 0; i < count; ++i) {
        const char *value = nullptr;
        if (natsMsgHeader_Get(message, keys[i], &value) == NATS_OK)
            headers.append({QByteArray(keys[i]), QByteArray(value)});
    }
    std::free(static_cast<void *>(keys));
    return headers;
}

NatsStoredMessage storedMessage(natsMsg *message)
{
    NatsStoredMessage stored;
    stored.sequence = natsMsg_GetSequence(message);
    stored.subject = QByteArray(natsMsg_GetSubject(message));
    stored.data = QByteArray(natsMsg_GetData(message), natsMsg_GetDataLength(message));
    stored.headers = headersOf(message);
    stored.timeNs = natsMsg_GetTime(message);
    return stored;
}

bool isNotFound(natsStatus status, jsErrCode code);

// The outcome of js_GetMsg / js_GetLastMsg: the message, nothing (not found: no error), or the
// error. Called right after the call, while cnats' per-thread error text is current.
std::optional<NatsStoredMessage> takeStored(natsStatus s, jsErrCode code, natsMsg *message,
                                            const QString &what, QString *error)
{
    if (s != NATS_OK) {
        // No such message is an answer; no such stream is not (someone deleted it): an error,
        // so that the caller neither takes "nothing stored" for the truth nor stays quiet.
        if (code == JSStreamNotFoundErr || !isNotFound(s, code))
            *error = natsErrorText(s, what);
        return std::nullopt;
    }
    NatsStoredMessage stored = storedMessage(message);
    natsMsg_Destroy(message);
    return stored;
}

bool isNotFound(natsStatus status, jsErrCode code)
{
    return status == NATS_NOT_FOUND || code == JSStreamNotFoundErr || code == JSConsumerNotFoundErr
        || code == JSNoMessageFoundErr || code == JSSequenceNotFoundErr;
}

// c-strings for a cnats config; the QByteArrays keep them alive.
struct CStrings
{
    std::vector<QByteArray> storage;
    std::vector<const char *> pointers;
    const char *add(const QString &text)
    {
        storage.push_back(text.toUtf8());
        return storage.back().constData();
    }
};

} // namespace

QByteArray NatsStoredMessage::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

// --- NatsDelivery ---

NatsDelivery::NatsDelivery(natsMsg *message)
    : m_message(message, retireNatsMessage)
    , m_subject(natsMsg_GetSubject(message))
    , m_data(natsMsg_GetData(message), natsMsg_GetDataLength(message))
{
    jsMsgMetaData *meta = nullptr;
    if (natsMsg_GetMetaData(&meta, message) == NATS_OK) {
        m_streamSequence = meta->Sequence.Stream;
        m_deliveryCount = meta->NumDelivered;
        m_pending = meta->NumPending;
        m_storedAtNs = meta->Timestamp;
        jsMsgMetaData_Destroy(meta);
    }
}

QByteArray NatsDelivery::header(const char *name) const
{
    const char *value = nullptr;
    if (natsMsgHeader_Get(m_message.get(), name, &value) != NATS_OK || !value)
        return {};
    return QByteArray(value);
}

// The acks are small publishes on the connection: cnats buffers them while reconnecting, and a
// lost one only means a redelivery, which the ingress engine handles.
void NatsDelivery::ack() const
{
    natsMsg_Ack(m_message.get(), nullptr);
}

void NatsDelivery::nak(std::chrono::milliseconds delay) const
{
    if (delay.count() > 0)
        natsMsg_NakWithDelay(m_message.get(), delay.count(), nullptr);
    else
        natsMsg_Nak(m_message.get(), nullptr);
}

void NatsDelivery::inProgress() const
{
    natsMsg_InProgress(m_message.get(), nullptr);
}

void NatsDelivery::term() const
{
    natsMsg_Term(m_message.get(), nullptr);
}

// --- cnats callbacks (cnats threads) ---

struct NatsCallbacks
{
    static void publishAck(jsCtx *, natsMsg *message, jsPubAck *ack, jsPubAckErr *error,
                           void *closure)
    {
        auto *client = static_cast<NatsClient *>(closure);
        std::optional<NatsClient::PendingPublish> pending = client->takePending(message);
        natsMsg_Destroy(message);
        if (!pending)
            return; // close() has already failed it
        NatsPublishResult result;
        if (ack) {
            result.ok = true;
            result.sequence = ack->Sequence;
        } else if (error && error->Err == NATS_TIMEOUT) {
            result.error = u"no JetStream acknowledgement in time"_s;
        } else {
            result.error = u"JetStream refused the message: %1"_s.arg(
                QString::fromUtf8(error && error->ErrText ? error->ErrText : "unknown error"));
        }
        client->complete(std::move(*pending), result);
    }

    static void connected(natsConnection *, void *closure)
    {
        static_cast<NatsClient *>(closure)->setState(NatsClient::State::Connected);
    }

    static void disconnected(natsConnection *connection, void *closure)
    {
        auto *client = static_cast<NatsClient *>(closure);
        const char *text = nullptr;
        natsConnection_GetLastError(connection, &text);
        {
            QMutexLocker lock(&client->m_mutex);
            client->m_lastError = (text && *text) ? QString::fromUtf8(text) : u"disconnected"_s;
        }
        if (client->state() != NatsClient::State::Closed)
            client->setState(NatsClient::State::Reconnecting);
    }

    // cnats runs this on its callback thread after natsConnection_Close(); close() waits for
    // it, so that no callback can reach a NatsClient that is gone.
    // It also runs when the server ended the connection in a way cnats does not reconnect from
    // (the same authorization violation twice, a protocol error such as a line over
    // max_control_line): the state says Closed, and the owner opens a new client.
    static void closed(natsConnection *connection, void *closure)
    {
        auto *client = static_cast<NatsClient *>(closure);
        if (!client->m_closing) {
            const char *text = nullptr;
            natsConnection_GetLastError(connection, &text);
            // cnats 3.4 also gives up, instead of retrying, when its first attempt found a server
            // that accepted the connection but did not complete the NATS handshake.
            const bool neverConnected = client->state() == NatsClient::State::Connecting;
            {
                QMutexLocker lock(&client->m_mutex);
                client->m_lastError =
                    (neverConnected ? u"could not connect: %1"_s
                                    : u"the server closed the connection: %1"_s)
                        .arg(QString::fromUtf8((text && *text) ? text : "closed"));
            }
            qCWarning(lcNats).noquote() << "NATS" << client->m_displayUrl << client->lastError();
            client->setState(NatsClient::State::Closed);
        }
        QMutexLocker lock(&client->m_mutex);
        client->m_closedSeen = true;
        client->m_closedCondition.wakeAll();
    }

    static void delivered(natsConnection *, natsSubscription *, natsMsg *message, void *closure);
    static void handOver(const std::shared_ptr<NatsSubscription::Inbox> &inbox,
                         QList<NatsDelivery> batch);
    static void subscriptionComplete(void *closure);
};

// --- NatsClient ---

NatsClient::NatsClient(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_displayUrl(natsUrlWithoutCredentials(m_options.url))
{
}

NatsClient::~NatsClient()
{
    close();
    // Destroyed only here, after every thread that used them (a store thread in a blocking
    // call) has been told "closed" by close() and stopped: cnats frees the context and the
    // connection, and a call still holding them would crash.
    jsCtx_Destroy(m_jetStream);
    natsConnection_Destroy(m_connection);
}

bool NatsClient::open(QString *error)
{
    natsOptions *options = nullptr;
    natsStatus s = createNatsOptions(
        &options, m_options,
        {NatsCallbacks::connected, NatsCallbacks::disconnected, NatsCallbacks::closed, this});
    if (s == NATS_OK && m_options.eventLoop) {
        m_loop = new NatsEventLoop(this);
        m_loop->setAfterRead([this] { takeDeliveries(); });
        s = natsStatus(m_loop->install(options));
    }
    if (s != NATS_OK) {
        *error = natsErrorText(s, u"NATS options for %1"_s.arg(m_displayUrl));
        return false;
    }
    m_state = State::Connecting;
    s = natsConnection_Connect(&m_connection, options);
    natsOptions_Destroy(options);
    if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
        *error = natsErrorText(s, u"NATS %1"_s.arg(m_displayUrl));
        m_state = State::Closed;
        return false;
    }
    jsOptions jetStreamOptions;
    jsOptions_Init(&jetStreamOptions);
    jetStreamOptions.Wait = m_options.apiTimeout.count();
    jetStreamOptions.PublishAsync.AckHandler = NatsCallbacks::publishAck;
    jetStreamOptions.PublishAsync.AckHandlerClosure = this;
    // Our own bound (Options::maxPendingPublishes) refuses at once instead of stalling the
    // caller's event loop in cnats' StallWait.
    jetStreamOptions.PublishAsync.MaxPending = 0;
    s = natsConnection_JetStream(&m_jetStream, m_connection, &jetStreamOptions);
    if (s != NATS_OK) {
        *error = natsErrorText(s, u"JetStream context"_s);
        close();
        return false;
    }
    if (s == NATS_OK && natsConnection_Status(m_connection) == NATS_CONN_STATUS_CONNECTED)
        setState(State::Connected);
    // "connected" is setState()'s line; saying it here too wrote it twice per connection.
    if (!isConnected())
        qCInfo(lcNats).noquote() << "NATS" << m_displayUrl << "not reachable yet, retrying";
    return true;
}

void NatsClient::close()
{
    if (!m_connection || m_closing.exchange(true))
        return;
    std::unordered_map<natsMsg *, PendingPublish> pending;
    {
        QMutexLocker lock(&m_mutex);
        pending.swap(m_pending);
    }
    for (auto &[message, publish] : pending) {
        NatsPublishResult result;
        result.error = u"connection closed"_s;
        complete(std::move(publish), result);
    }
    m_state = State::Closed;
    // In event-loop mode cnats only buffers writes: send the last acks and NAKs before closing.
    if (m_loop)
        m_loop->flush(1000);
    // Blocking API calls in other threads now fail fast with "connection closed".
    natsConnection_Close(m_connection);
    if (m_loop)
        m_loop->shutdown();
    QDeadlineTimer deadline(2000);
    QMutexLocker lock(&m_mutex);
    while (!m_closedSeen && !deadline.hasExpired())
        m_closedCondition.wait(&m_mutex, deadline);
}

QString NatsClient::lastError() const
{
    QMutexLocker lock(&m_mutex);
    return m_lastError;
}

void NatsClient::setState(State state)
{
    if (m_state.exchange(state) == state)
        return;
    if (state == State::Connected)
        qCInfo(lcNats).noquote() << "NATS" << m_displayUrl << "connected";
    else if (state == State::Reconnecting)
        qCWarning(lcNats).noquote()
            << "NATS" << m_displayUrl << "lost:" << lastError() << "- reconnecting";
    Q_EMIT stateChanged(state);
}

qint64 NatsClient::maxPayload() const
{
    return isConnected() && m_connection ? natsConnection_GetMaxPayload(m_connection) : 0;
}

int NatsClient::pendingPublishes() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_pending.size());
}

std::optional<NatsClient::PendingPublish> NatsClient::takePending(natsMsg *message)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_pending.find(message);
    if (it == m_pending.end())
        return std::nullopt;
    PendingPublish pending = std::move(it->second);
    m_pending.erase(it);
    return pending;
}

// Completions for one context object, handed over in batches: at thousands of acks per second,
// one posted event (and one wake-up of the receiving thread) per ack cost more than the acks.
struct NatsClient::CompletionInbox
{
    QMutex mutex;
    std::vector<std::pair<PublishCallback, NatsPublishResult>> queue;
    bool posted = false;
    QPointer<QObject> context; // null once deleted: a new object at its address gets a new inbox
};

void NatsClient::complete(PendingPublish pending, const NatsPublishResult &result)
{
    QObject *context = pending.context.data();
    if (!context)
        return;
    std::shared_ptr<CompletionInbox> inbox;
    {
        QMutexLocker lock(&m_inboxesMutex);
        std::shared_ptr<CompletionInbox> &slot = m_inboxes[context];
        if (!slot || !slot->context) {
            slot = std::make_shared<CompletionInbox>();
            slot->context = context;
        }
        inbox = slot;
    }
    QMutexLocker lock(&inbox->mutex);
    inbox->queue.emplace_back(std::move(pending.done), result);
    if (inbox->posted)
        return;
    inbox->posted = true;
    // The lambda owns the inbox, not this client: it may run after the client is gone.
    QMetaObject::invokeMethod(
        context,
        [inbox] {
            std::vector<std::pair<PublishCallback, NatsPublishResult>> batch;
            {
                QMutexLocker lock(&inbox->mutex);
                batch.swap(inbox->queue);
                inbox->posted = false;
            }
            for (const auto &[done, result] : batch)
                done(result);
        },
        Qt::QueuedConnection);
}

void NatsClient::publish(const QByteArray &subject, const NatsHeaders &headers,
                         const QByteArray &data, QObject *context, PublishCallback done)
{
    PendingPublish pending {QPointer<QObject>(context), std::move(done)};
    auto fail = [&](const QString &error) {
        NatsPublishResult result;
        result.error = error;
        complete(std::move(pending), result);
    };
    // While cnats reconnects it would buffer the publish and send it later: the caller must
    // not hear "failed" about a message that is stored after all, so refuse up front.
    if (!isConnected() || !m_jetStream || m_closing)
        return fail(u"NATS %1 is not connected"_s.arg(m_displayUrl));

    natsMsg *message = nullptr;
    natsStatus s = buildNatsMessage(&message, subject, {}, headers, data);
    if (s != NATS_OK)
        return fail(natsErrorText(s, u"cannot build the message"_s));
    {
        QMutexLocker lock(&m_mutex);
        if (int(m_pending.size()) >= m_options.maxPendingPublishes) {
            lock.unlock();
            natsMsg_Destroy(message);
            return fail(u"too many publishes waiting for JetStream (%1)"_s.arg(
                m_options.maxPendingPublishes));
        }
        // Registered before the publish: the ack may arrive before js_PublishMsgAsync returns.
        m_pending.emplace(message, std::move(pending));
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = m_options.publishTimeout.count();
    natsMsg *sent = message;
    s = js_PublishMsgAsync(m_jetStream, &sent, &options);
    if (s != NATS_OK) {
        // The message is still ours (`sent` not cleared) and no ack will come for it.
        std::optional<PendingPublish> failed = takePending(message);
        natsMsg_Destroy(sent);
        if (failed) {
            NatsPublishResult result;
            result.error = natsErrorText(s, u"publish"_s);
            result.tooLarge = s == NATS_MAX_PAYLOAD;
            complete(std::move(*failed), result);
        }
    }
}

NatsPublishResult NatsClient::publishAndWait(const QByteArray &subject, const NatsHeaders &headers,
                                             const QByteArray &data)
{
    NatsPublishResult result;
    if (!m_jetStream) {
        result.error = u"NATS is closed"_s;
        return result;
    }
    natsMsg *message = nullptr;
    natsStatus s = buildNatsMessage(&message, subject, {}, headers, data);
    jsPubAck *ack = nullptr;
    jsErrCode code = jsErrCode(0);
    if (s == NATS_OK)
        s = js_PublishMsg(&ack, m_jetStream, message, nullptr, &code);
    if (s == NATS_OK) {
        result.ok = true;
        result.sequence = ack->Sequence;
    } else {
        result.error = natsErrorText(s, u"publish to %1"_s.arg(QString::fromUtf8(subject)));
    }
    jsPubAck_Destroy(ack);
    natsMsg_Destroy(message);
    return result;
}

bool NatsClient::ensureStream(const NatsStreamSpec &spec, QString *error, bool *existed,
                              qint64 *createdNs, QString *dropsOldest)
{
    if (!m_jetStream) {
        *error = u"NATS is closed"_s;
        return false;
    }
    CStrings strings;
    const char *name = strings.add(spec.name);
    jsStreamInfo *info = nullptr;
    jsErrCode code = jsErrCode(0);
    natsStatus s = js_GetStreamInfo(&info, m_jetStream, name, nullptr, &code);
    if (existed)
        *existed = s == NATS_OK && info->State.Msgs > 0;
    if (createdNs && s == NATS_OK)
        *createdNs = info->Created;
    if (dropsOldest && s == NATS_OK && info->Config->Retention == js_LimitsPolicy
        && info->Config->Discard == js_DiscardOld) {
        QStringList limits;
        if (info->Config->MaxMsgs > 0)
            limits << u"max_msgs %1"_s.arg(info->Config->MaxMsgs);
        if (info->Config->MaxBytes > 0)
            limits << u"max_bytes %1"_s.arg(info->Config->MaxBytes);
        if (info->Config->MaxMsgsPerSubject > 0)
            limits << u"max_msgs_per_subject %1"_s.arg(info->Config->MaxMsgsPerSubject);
        *dropsOldest = limits.join(u", "_s);
    }
    if (s == NATS_OK) {
        // Exists: add what is missing to its subjects, keep everything else as its owner set it.
        std::vector<const char *> subjects(info->Config->Subjects,
                                           info->Config->Subjects + info->Config->SubjectsLen);
        const size_t before = subjects.size();
        for (const QString &wanted : spec.subjects) {
            const QByteArray utf8 = wanted.toUtf8();
            bool present = false;
            for (const char *subject : subjects)
                present = present || utf8 == subject;
            if (!present)
                subjects.push_back(strings.add(wanted));
        }
        if (subjects.size() != before) {
            jsStreamConfig config = *info->Config;
            config.Subjects = subjects.data();
            config.SubjectsLen = int(subjects.size());
            jsStreamInfo *updated = nullptr;
            s = js_UpdateStream(&updated, m_jetStream, &config, nullptr, &code);
            jsStreamInfo_Destroy(updated);
            if (s != NATS_OK)
                *error = natsErrorText(s, u"cannot add subjects to stream %1"_s.arg(spec.name));
            else
                qCInfo(lcNats).noquote()
                    << "stream" << spec.name << "now also takes" << spec.subjects.join(u", "_s);
        }
        jsStreamInfo_Destroy(info);
        return s == NATS_OK;
    }
    if (!isNotFound(s, code)) {
        *error = natsErrorText(s, u"cannot read stream %1"_s.arg(spec.name));
        return false;
    }
    std::vector<const char *> subjects;
    for (const QString &subject : spec.subjects)
        subjects.push_back(strings.add(subject));
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = name;
    config.Subjects = subjects.data();
    config.SubjectsLen = int(subjects.size());
    config.Storage = js_FileStorage;
    config.Retention = js_LimitsPolicy;
    config.MaxAge = spec.maxAge.count() * nsPerMs;
    config.MaxMsgs = spec.maxMessages;
    if (spec.keyValueLayout) {
        config.MaxMsgsPerSubject = 1;
        config.AllowRollup = true;
        config.DenyDelete = true;
        config.AllowDirect = true;
        config.Discard = js_DiscardNew;
        config.Duplicates = qMin<qint64>(config.MaxAge, 120LL * 1000 * nsPerMs);
    }
    jsStreamInfo *created = nullptr;
    s = js_AddStream(&created, m_jetStream, &config, nullptr, &code);
    if (createdNs && s == NATS_OK)
        *createdNs = created->Created;
    jsStreamInfo_Destroy(created);
    if (s != NATS_OK) {
        *error = natsErrorText(s, u"cannot create stream %1"_s.arg(spec.name));
        return false;
    }
    qCInfo(lcNats).noquote() << "created stream" << spec.name << "on"
                             << spec.subjects.join(u", "_s);
    return true;
}

bool NatsClient::ensureConsumer(const NatsConsumerSpec &spec, QString *error)
{
    if (!m_jetStream) {
        *error = u"NATS is closed"_s;
        return false;
    }
    CStrings strings;
    const char *stream = strings.add(spec.stream);
    const char *durable = strings.add(spec.durable);
    const QByteArray deliverSubject = spec.deliverSubject.toUtf8();
    const QByteArray deliverGroup = spec.deliverGroup.toUtf8();
    jsConsumerInfo *info = nullptr;
    jsErrCode code = jsErrCode(0);
    natsStatus s = js_GetConsumerInfo(&info, m_jetStream, stream, durable, nullptr, &code);
    if (s == NATS_OK) {
        const jsConsumerConfig &existing = *info->Config;
        auto text = [](const char *value) {
            return QByteArrayView(value ? value : "");
        };
        if (deliverSubject != text(existing.DeliverSubject)
            || deliverGroup != text(existing.DeliverGroup)
            || spec.filterSubject.toUtf8() != text(existing.FilterSubject)
            || existing.AckPolicy != js_AckExplicit) {
            *error = u"consumer %1 on stream %2 exists with another deliver subject, group, "
                     "filter or ack policy (made by another program, or for another "
                     "subject_pattern?); choose another nats.consumer_name"_s.arg(spec.durable,
                                                                                  spec.stream);
            jsConsumerInfo_Destroy(info);
            return false;
        }
        const qint64 ackWait = spec.ackWait.count() * nsPerMs;
        if (existing.AckWait != ackWait || existing.MaxDeliver != spec.maxDeliver
            || existing.MaxAckPending != spec.maxAckPending) {
            jsConsumerConfig config = existing;
            config.AckWait = ackWait;
            config.MaxDeliver = spec.maxDeliver;
            config.MaxAckPending = spec.maxAckPending;
            jsConsumerInfo *updated = nullptr;
            s = js_UpdateConsumer(&updated, m_jetStream, stream, &config, nullptr, &code);
            jsConsumerInfo_Destroy(updated);
            if (s != NATS_OK)
                *error = natsErrorText(s, u"cannot update consumer %1"_s.arg(spec.durable));
        }
        jsConsumerInfo_Destroy(info);
        return s == NATS_OK;
    }
    if (!isNotFound(s, code)) {
        *error = natsErrorText(s, u"cannot read consumer %1"_s.arg(spec.durable));
        return false;
    }
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = durable;
    config.FilterSubject = strings.add(spec.filterSubject);
    config.DeliverSubject = deliverSubject.constData();
    config.DeliverGroup = deliverGroup.constData();
    config.DeliverPolicy = spec.deliverNew ? js_DeliverNew : js_DeliverAll;
    if (spec.startSequence > 0) {
        config.DeliverPolicy = js_DeliverByStartSequence;
        config.OptStartSeq = spec.startSequence;
    }
    config.AckPolicy = js_AckExplicit;
    config.AckWait = spec.ackWait.count() * nsPerMs;
    config.MaxDeliver = spec.maxDeliver;
    config.MaxAckPending = spec.maxAckPending;
    jsConsumerInfo *created = nullptr;
    s = js_AddConsumer(&created, m_jetStream, stream, &config, nullptr, &code);
    jsConsumerInfo_Destroy(created);
    if (s != NATS_OK) {
        *error = natsErrorText(s, u"cannot create consumer %1"_s.arg(spec.durable));
        return false;
    }
    qCInfo(lcNats).noquote() << "created consumer" << spec.durable << "on stream" << spec.stream;
    return true;
}

// Deliveries are queued here by cnats' delivery thread and handed to the receiver's thread in
// batches: one posted event per batch rather than per message.
struct NatsSubscription::Inbox
{
    QMutex mutex;
    QList<NatsDelivery> queue;
    bool posted = false;
    bool stopped = false;
    QPointer<QObject> receiver;
    NatsClient::DeliveryHandler handler;
    // Event-loop mode: the synchronous subscription the client drains after every read;
    // cleared (under the mutex) before it is destroyed.
    natsSubscription *sync = nullptr;
};

// Hands deliveries to the receiver: directly when this is its thread (event-loop mode),
// otherwise posted in batches, all that arrived since the last post. NAKed when stopped.
void NatsCallbacks::handOver(const std::shared_ptr<NatsSubscription::Inbox> &inbox,
                             QList<NatsDelivery> batch)
{
    QMutexLocker lock(&inbox->mutex);
    if (inbox->stopped || !inbox->receiver) {
        lock.unlock();
        for (const NatsDelivery &delivery : std::as_const(batch))
            delivery.nak(Milliseconds(0));
        return;
    }
    if (inbox->queue.isEmpty() && inbox->receiver->thread() == QThread::currentThread()) {
        lock.unlock();
        inbox->handler(std::move(batch));
        return;
    }
    inbox->queue.append(std::move(batch));
    if (inbox->posted)
        return;
    inbox->posted = true;
    QMetaObject::invokeMethod(
        inbox->receiver.data(),
        [inbox] {
            QList<NatsDelivery> waiting;
            {
                QMutexLocker lock(&inbox->mutex);
                waiting.swap(inbox->queue);
                inbox->posted = false;
                if (inbox->stopped) {
                    for (const NatsDelivery &delivery : std::as_const(waiting))
                        delivery.nak(Milliseconds(0));
                    return;
                }
            }
            inbox->handler(std::move(waiting));
        },
        Qt::QueuedConnection);
}

void NatsCallbacks::delivered(natsConnection *, natsSubscription *, natsMsg *message, void *closure)
{
    handOver(*static_cast<std::shared_ptr<NatsSubscription::Inbox> *>(closure),
             {NatsDelivery(message)});
}

void NatsClient::takeDeliveries()
{
    std::vector<std::shared_ptr<NatsSubscription::Inbox>> inboxes;
    {
        QMutexLocker lock(&m_syncMutex);
        inboxes = m_syncInboxes;
    }
    bool gone = false;
    for (const std::shared_ptr<NatsSubscription::Inbox> &inbox : inboxes) {
        QList<NatsDelivery> batch;
        {
            QMutexLocker lock(&inbox->mutex);
            int count = 0;
            if (!inbox->sync
                || natsSubscription_GetPending(inbox->sync, &count, nullptr) != NATS_OK) {
                gone = gone || !inbox->sync;
                continue;
            }
            for (int i = 0; i < count; ++i) {
                natsMsg *message = nullptr;
                if (natsSubscription_NextMsg(&message, inbox->sync, 0) == NATS_OK)
                    batch.append(NatsDelivery(message));
            }
        }
        if (!batch.isEmpty())
            NatsCallbacks::handOver(inbox, std::move(batch));
    }
    if (gone) {
        QMutexLocker lock(&m_syncMutex);
        std::erase_if(m_syncInboxes, [](const std::shared_ptr<NatsSubscription::Inbox> &inbox) {
            QMutexLocker inboxLock(&inbox->mutex);
            return !inbox->sync;
        });
    }
}

void NatsCallbacks::subscriptionComplete(void *closure)
{
    delete static_cast<std::shared_ptr<NatsSubscription::Inbox> *>(closure);
}

std::unique_ptr<NatsSubscription> NatsClient::subscribe(const NatsConsumerSpec &spec,
                                                        QObject *receiver, DeliveryHandler handler,
                                                        QString *error)
{
    if (!m_jetStream) {
        *error = u"NATS is closed"_s;
        return nullptr;
    }
    auto inbox = std::make_shared<NatsSubscription::Inbox>();
    inbox->receiver = receiver;
    inbox->handler = std::move(handler);
    CStrings strings;
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = strings.add(spec.stream);
    options.Consumer = strings.add(spec.durable);
    options.Queue = strings.add(spec.deliverGroup);
    options.ManualAck = true;
    const QByteArray filter = spec.filterSubject.toUtf8();
    natsSubscription *subscription = nullptr;
    jsErrCode code = jsErrCode(0);
    if (m_loop) {
        // Drained by takeDeliveries() on the loop's thread after every read.
        const natsStatus s = js_SubscribeSync(&subscription, m_jetStream, filter.constData(),
                                              nullptr, &options, &code);
        if (s != NATS_OK) {
            *error = natsErrorText(s, u"cannot subscribe to consumer %1"_s.arg(spec.durable));
            return nullptr;
        }
        inbox->sync = subscription;
        QMutexLocker lock(&m_syncMutex);
        m_syncInboxes.push_back(inbox);
        std::unique_ptr<NatsSubscription> result(new NatsSubscription);
        result->m_subscription = subscription;
        result->m_inbox = inbox;
        return result;
    }
    // cnats owns this heap copy of the shared pointer until the subscription completes.
    auto *closure = new std::shared_ptr<NatsSubscription::Inbox>(inbox);
    const natsStatus s = js_Subscribe(&subscription, m_jetStream, filter.constData(),
                                      NatsCallbacks::delivered, closure, nullptr, &options, &code);
    if (s != NATS_OK) {
        *error = natsErrorText(s, u"cannot subscribe to consumer %1"_s.arg(spec.durable));
        delete closure;
        return nullptr;
    }
    natsSubscription_SetOnCompleteCB(subscription, NatsCallbacks::subscriptionComplete, closure);
    std::unique_ptr<NatsSubscription> result(new NatsSubscription);
    result->m_subscription = subscription;
    result->m_inbox = inbox;
    return result;
}

NatsSubscription::~NatsSubscription()
{
    stop();
    {
        QMutexLocker lock(&m_inbox->mutex);
        m_inbox->sync = nullptr;
    }
    natsSubscription_Destroy(m_subscription);
}

void NatsSubscription::stop()
{
    QList<NatsDelivery> waiting;
    {
        QMutexLocker lock(&m_inbox->mutex);
        if (m_inbox->stopped)
            return;
        m_inbox->stopped = true;
        waiting.swap(m_inbox->queue);
        // Event-loop mode: what arrived and was not taken yet (unsubscribing would drop it).
        natsMsg *message = nullptr;
        while (m_inbox->sync && natsSubscription_NextMsg(&message, m_inbox->sync, 0) == NATS_OK)
            waiting.append(NatsDelivery(message));
    }
    natsSubscription_Unsubscribe(m_subscription);
    for (const NatsDelivery &delivery : std::as_const(waiting))
        delivery.nak(Milliseconds(0));
}

std::optional<NatsStreamState> NatsClient::streamState(const QString &stream, QString *error)
{
    if (!m_jetStream) {
        *error = u"NATS is closed"_s;
        return std::nullopt;
    }
    const QByteArray name = stream.toUtf8();
    jsStreamInfo *info = nullptr;
    jsErrCode code = jsErrCode(0);
    const natsStatus s = js_GetStreamInfo(&info, m_jetStream, name.constData(), nullptr, &code);
    if (s != NATS_OK) {
        *error = natsErrorText(s, u"cannot read stream %1"_s.arg(stream));
        return std::nullopt;
    }
    NatsStreamState state {info->State.Msgs, info->State.FirstSeq, info->State.LastSeq};
    jsStreamInfo_Destroy(info);
    return state;
}

std::optional<NatsConsumerState> NatsClient::consumerState(const QString &stream,
                                                           const QString &durable, QString *error)
{
    if (!m_jetStream) {
        *error = u"NATS is closed"_s;
        return std::nullopt;
    }
    const QByteArray streamName = stream.toUtf8();
    const QByteArray durableName = durable.toUtf8();
    jsConsumerInfo *info = nullptr;
    jsErrCode code = jsErrCode(0);
    const natsStatus s = js_GetConsumerInfo(&info, m_jetStream, streamName.constData(),
                                            durableName.constData(), nullptr, &code);
    NatsConsumerState state;
    if (s != NATS_OK) {
        if (isNotFound(s, code))
            return state;
        *error = natsErrorText(s, u"cannot read consumer %1"_s.arg(durable));
        return std::nullopt;
    }
    state.found = true;
    state.pending = info->NumPending;
    state.ackPending = info->NumAckPending;
    state.delivered = info->Delivered.Stream;
    state.createdNs = info->Created;
    state.ackFloor = info->AckFloor.Stream;
    jsConsumerInfo_Destroy(info);
    return state;
}

std::optional<NatsStoredMessage> NatsClient::message(const QString &stream, quint64 sequence,
                                                     QString *error)
{
    error->clear();
    if (!m_jetStream) {
        *error = u"NATS is closed"_s;
        return std::nullopt;
    }
    const QByteArray name = stream.toUtf8();
    natsMsg *message = nullptr;
    jsErrCode code = jsErrCode(0);
    const natsStatus s =
        js_GetMsg(&message, m_jetStream, name.constData(), sequence, nullptr, &code);
    return takeStored(s, code, message, u"cannot read message %1 of %2"_s.arg(sequence).arg(stream),
                      error);
}

std::optional<NatsStoredMessage> NatsClient::lastMessage(const QString &stream,
                                                         const QByteArray &subject, QString *error)
{
    error->clear();
    if (!m_jetStream) {
        *error = u"NATS is closed"_s;
        return std::nullopt;
    }
    const QByteArray name = stream.toUtf8();
    natsMsg *message = nullptr;
    jsErrCode code = jsErrCode(0);
    const natsStatus s =
        js_GetLastMsg(&message, m_jetStream, name.constData(), subject.constData(), nullptr, &code);
    return takeStored(s, code, message,
                      u"cannot read %1 from %2"_s.arg(QString::fromUtf8(subject), stream), error);
}

bool NatsClient::deleteMessage(const QString &stream, quint64 sequence, QString *error)
{
    error->clear();
    if (!m_jetStream) {
        *error = u"NATS is closed"_s;
        return false;
    }
    const QByteArray name = stream.toUtf8();
    jsErrCode code = jsErrCode(0);
    const natsStatus s = js_DeleteMsg(m_jetStream, name.constData(), sequence, nullptr, &code);
    if (s == NATS_OK || isNotFound(s, code))
        return s == NATS_OK;
    *error = natsErrorText(s, u"cannot delete message %1 of %2"_s.arg(sequence).arg(stream));
    // nats-server answers a sequence outside the stream's range with the generic "deletion
    // failed" code and the text "no message found": ask whether it is there.
    QString lookupError;
    if (code == JSStreamMsgDeleteFailed && !message(stream, sequence, &lookupError)
        && lookupError.isEmpty())
        error->clear();
    return false;
}

} // namespace Switchboard
