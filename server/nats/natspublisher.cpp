#include "natspublisher.h"

#include "natsoptions.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QThread>
#include <utility>
#include <vector>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// JetStream's answer to a publish: {"stream":"events","seq":42} (with "duplicate":true when
// the Nats-Msg-Id was seen), or {"error":{"code":503,"err_code":...,"description":"..."}}.
NatsPublishResult parsePubAck(QByteArrayView ack)
{
    NatsPublishResult result;
    constexpr QByteArrayView seqKey = "\"seq\":";
    const qsizetype seq = ack.indexOf(seqKey);
    if (seq >= 0 && !ack.contains("\"error\"")) {
        qsizetype end = seq + seqKey.size();
        while (end < ack.size() && ack.at(end) >= '0' && ack.at(end) <= '9')
            ++end;
        result.sequence =
            ack.sliced(seq + seqKey.size(), end - seq - seqKey.size()).toULongLong(&result.ok);
        if (result.ok)
            return result;
    }
    const QJsonObject error =
        QJsonDocument::fromJson(ack.toByteArray()).object().value(u"error"_s).toObject();
    const QString description = error.value(u"description"_s).toString();
    result.ok = false;
    result.error = u"JetStream refused the message: %1"_s.arg(
        description.isEmpty() ? QString::fromUtf8(ack.first(qMin<qsizetype>(ack.size(), 200)))
                              : description);
    return result;
}

} // namespace

// --- cnats callbacks (cnats' callback thread) ---

struct NatsPublisherCallbacks
{
    static void connected(natsConnection *, void *closure)
    {
        auto *publisher = static_cast<NatsPublisher *>(closure);
        publisher->m_reopens = 0;
        publisher->m_everConnected = true;
        // Until connectFinished() has the connection there is nothing to publish on: it says
        // "connected" itself then.
        if (!publisher->m_taken)
            return;
        if (!publisher->m_connected.exchange(true)) {
            qCInfo(lcNats).noquote() << u"NATS %1 connected (%2)"_s.arg(publisher->m_displayUrl,
                                                                        publisher->m_options.name);
            Q_EMIT publisher->connectionChanged(true);
        }
    }

    static void disconnected(natsConnection *connection, void *closure)
    {
        auto *publisher = static_cast<NatsPublisher *>(closure);
        const char *text = nullptr;
        natsConnection_GetLastError(connection, &text);
        if (publisher->m_connected.exchange(false)) {
            qCWarning(lcNats).noquote() << u"NATS %1 lost (%2): %3 - reconnecting"_s.arg(
                publisher->m_displayUrl, publisher->m_options.name,
                QString::fromUtf8((text && *text) ? text : "disconnected"));
            Q_EMIT publisher->connectionChanged(false);
        }
    }

    // Also runs when the server ended the connection in a way cnats does not reconnect from
    // (the same authorization violation twice, a protocol error): a new one is opened.
    static void closed(natsConnection *connection, void *closure)
    {
        auto *publisher = static_cast<NatsPublisher *>(closure);
        if (!publisher->m_closing) {
            publisher->m_connected = false;
            const char *text = nullptr;
            natsConnection_GetLastError(connection, &text);
            // cnats 3.4 also gives up, instead of retrying, when its first attempt found a server
            // that accepted the connection but did not complete the NATS handshake.
            const QString line =
                u"NATS %1 (%2): %3 (%4) - opening a new one every %5 s until it is accepted"_s
                    .arg(publisher->m_displayUrl, publisher->m_options.name,
                         publisher->m_everConnected ? u"the server closed the connection"_s
                                                    : u"could not connect"_s,
                         QString::fromUtf8((text && *text) ? text : "closed"))
                    .arg(publisher->m_options.reconnectMax.count() / 1000.0);
            if (publisher->m_reopens++ == 0)
                qCCritical(lcNats).noquote() << line;
            else
                qCDebug(lcNats).noquote() << line;
            Q_EMIT publisher->connectionChanged(false);
            QMetaObject::invokeMethod(
                publisher, [publisher] { publisher->m_reopen.start(); }, Qt::QueuedConnection);
        }
        QMutexLocker lock(&publisher->m_closedMutex);
        publisher->m_closedSeen = true;
        publisher->m_closedCondition.wakeAll();
    }
};

// --- NatsPublisher ---

NatsPublisher::NatsPublisher(NatsConnectionOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_displayUrl(natsUrlWithoutCredentials(m_options.url))
    , m_expiry(this)
    , m_reopen(this)
{
    m_clock.start();
    connect(&m_expiry, &QTimer::timeout, this, &NatsPublisher::expire);
    m_reopen.setSingleShot(true);
    m_reopen.setInterval(m_options.reconnectMax);
    connect(&m_reopen, &QTimer::timeout, this, &NatsPublisher::reopen);
}

NatsPublisher::~NatsPublisher()
{
    release();
}

void NatsPublisher::release()
{
    close();
    natsSubscription_Destroy(m_acks);
    m_acks = nullptr;
    natsConnection_Destroy(m_connection);
    m_connection = nullptr;
}

bool NatsPublisher::open(QString *error)
{
    m_connected = false;
    m_everConnected = false;
    natsOptions *options = nullptr;
    natsStatus s =
        createNatsOptions(&options, m_options,
                          {NatsPublisherCallbacks::connected, NatsPublisherCallbacks::disconnected,
                           NatsPublisherCallbacks::closed, this});
    m_loop = new NatsEventLoop(this);
    m_loop->setAfterRead([this] { takeAcks(); });
    if (s == NATS_OK)
        s = natsStatus(m_loop->install(options));
    if (s != NATS_OK) {
        *error = natsErrorText(s, u"NATS options for %1"_s.arg(m_displayUrl));
        natsOptions_Destroy(options);
        return false;
    }
    natsInbox *inbox = nullptr;
    if (natsInbox_Create(&inbox) == NATS_OK) {
        m_inboxPrefix = QByteArray(inbox) + '.';
        natsInbox_Destroy(inbox);
    }
    m_connector = std::thread(&NatsPublisher::connectInBackground, this, options, ++m_generation);
    m_expiry.start(100);
    return true;
}

// On the connecting thread: it writes only m_made (read after join()) and m_everConnected.
void NatsPublisher::connectInBackground(natsOptions *options, quint64 generation)
{
    Made made;
    natsStatus s = natsConnection_Connect(&made.connection, options);
    natsOptions_Destroy(options);
    if (s == NATS_OK)
        m_everConnected = true; // connected here: cnats calls no connected callback for it
    if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
        made.error = natsErrorText(s, u"NATS %1"_s.arg(m_displayUrl));
    } else {
        s = natsConnection_SubscribeSync(&made.acks, made.connection,
                                         (m_inboxPrefix + '*').constData());
        // The acks waiting here are bounded by Options::maxPendingPublishes, not by cnats'.
        if (s == NATS_OK)
            s = natsSubscription_SetPendingLimits(made.acks, -1, -1);
        if (s != NATS_OK)
            made.error = natsErrorText(s, u"NATS inbox subscription"_s);
    }
    m_made = std::move(made);
    QMetaObject::invokeMethod(
        this, [this, generation] { connectFinished(generation); }, Qt::QueuedConnection);
}

bool NatsPublisher::joinConnector()
{
    if (!m_connector.joinable())
        return false;
    m_connector.join();
    m_connection = std::exchange(m_made.connection, nullptr);
    m_acks = std::exchange(m_made.acks, nullptr);
    return true;
}

void NatsPublisher::connectFinished(quint64 generation)
{
    if (generation != m_generation || !joinConnector())
        return; // close() took what it made
    if (const QString error = std::exchange(m_made.error, {}); !error.isEmpty()) {
        // cnats 3.4 closed a first attempt that failed while the inbox was subscribed: the closed
        // callback has said so (once at error level) and scheduled the new connection already.
        const QString line =
            u"%1 - trying again in %2 s"_s.arg(error).arg(m_options.reconnectMax.count() / 1000.0);
        if (m_connection && natsConnection_IsClosed(m_connection))
            qCDebug(lcNats).noquote() << line;
        else
            qCWarning(lcNats).noquote() << line;
        close();
        m_reopen.start();
        return;
    }
    m_taken = true;
    if (natsConnection_Status(m_connection) == NATS_CONN_STATUS_CONNECTED)
        NatsPublisherCallbacks::connected(m_connection, this);
}

void NatsPublisher::close()
{
    joinConnector(); // what a first attempt under way makes is closed with the rest
    if (!m_connection || m_closing)
        return;
    m_closing = true;
    m_taken = false;
    m_connected = false;
    m_expiry.stop();
    m_writeStalled = false;
    m_noStream = false;
    std::deque<Waiting> waiting;
    waiting.swap(m_queue);
    m_firstId += waiting.size();
    m_waiting = 0;
    NatsPublishResult closedResult;
    closedResult.error = u"connection closed"_s;
    const QPointer<NatsPublisher> alive(this);
    for (Waiting &publish : waiting) {
        if (publish.done)
            publish.done(closedResult);
    }
    if (!alive)
        return; // a callback deleted this publisher, whose destructor closed the connection
    natsConnection_Close(m_connection); // detaches from the event loop on this thread
    if (m_loop)
        m_loop->shutdown();
    QDeadlineTimer deadline(2000);
    QMutexLocker lock(&m_closedMutex);
    while (!m_closedSeen && !deadline.hasExpired())
        m_closedCondition.wait(&m_closedMutex, deadline);
}

void NatsPublisher::reopen()
{
    release(); // fails what still waits; the connection itself is closed already
    delete m_loop;
    m_loop = nullptr;
    m_closing = false;
    {
        QMutexLocker lock(&m_closedMutex);
        m_closedSeen = false;
    }
    QString error;
    if (!open(&error)) {
        qCWarning(lcNats).noquote() << error;
        m_reopen.start();
    }
}

qint64 NatsPublisher::maxPayload() const
{
    return isConnected() && m_connection ? natsConnection_GetMaxPayload(m_connection) : 0;
}

void NatsPublisher::publish(const QByteArray &subject, const NatsHeaders &headers,
                            const QByteArray &data, NatsClient::PublishCallback done)
{
    // While cnats reconnects it would buffer the publish and send it later: the caller must
    // not hear "failed" about a message that is stored after all, so refuse up front.
    if (!isConnected() || m_closing || !m_acks)
        return failLater(std::move(done), u"NATS %1 is not connected"_s.arg(m_displayUrl));
    if (m_writeStalled) {
        return failLater(std::move(done),
                         u"NATS %1 is not reading what was sent (for %2 ms)"_s.arg(
                             m_displayUrl, QString::number(m_loop->writeStalledForMs())));
    }
    if (m_noStream && m_waiting > 0)
        return failLater(std::move(done), noStreamText());
    if (m_waiting >= m_options.maxPendingPublishes) {
        return failLater(
            std::move(done),
            u"too many publishes waiting for JetStream (%1)"_s.arg(m_options.maxPendingPublishes));
    }
    const quint64 id = m_firstId + m_queue.size();
    natsMsg *message = nullptr;
    natsStatus s =
        buildNatsMessage(&message, subject, m_inboxPrefix + QByteArray::number(id), headers, data);
    if (s == NATS_OK)
        s = natsConnection_PublishMsg(m_connection, message);
    if (s != NATS_OK) {
        const QString error = natsErrorText(s, u"publish"_s);
        natsMsg_Destroy(message);
        return failLater(std::move(done), error, s == NATS_MAX_PAYLOAD);
    }
    retireNatsMessage(message); // cnats has copied it into its write buffer
    m_queue.push_back({m_clock.elapsed() + m_options.publishTimeout.count(), std::move(done)});
    ++m_waiting;
}

void NatsPublisher::failLater(NatsClient::PublishCallback done, const QString &error, bool tooLarge)
{
    NatsPublishResult result;
    result.error = error;
    result.tooLarge = tooLarge;
    QMetaObject::invokeMethod(
        this, [done = std::move(done), result] { done(result); }, Qt::QueuedConnection);
}

void NatsPublisher::takeAcks()
{
    int count = 0;
    if (!m_acks || natsSubscription_GetPending(m_acks, &count, nullptr) != NATS_OK)
        return;
    // A callback may delete this publisher (its owner going away): the acks still waiting in
    // the subscription then go with it.
    const QPointer<NatsPublisher> alive(this);
    for (int i = 0; i < count && alive; ++i) {
        natsMsg *message = nullptr;
        const natsStatus s = natsSubscription_NextMsg(&message, m_acks, 0);
        if (s == NATS_NO_RESPONDERS) {
            noResponders();
            continue;
        }
        if (s != NATS_OK)
            continue;
        const QByteArrayView subject(natsMsg_GetSubject(message));
        bool ok = false;
        const quint64 id =
            subject.sliced(qMin(subject.size(), m_inboxPrefix.size())).toULongLong(&ok);
        const NatsPublishResult result =
            parsePubAck(QByteArrayView(natsMsg_GetData(message), natsMsg_GetDataLength(message)));
        retireNatsMessage(message);
        if (ok)
            answer(id, result);
    }
}

void NatsPublisher::answer(quint64 id, const NatsPublishResult &result)
{
    if (id < m_firstId || id - m_firstId >= m_queue.size())
        return; // expired already
    Waiting &waiting = m_queue[id - m_firstId];
    if (!waiting.done)
        return;
    const NatsClient::PublishCallback done = std::move(waiting.done);
    waiting.done = nullptr;
    --m_waiting;
    if (result.ok)
        m_noStream = false;
    dropAnswered();
    done(result);
}

// NATS answers a publish nobody subscribes to (no stream takes its subject: deleted, or a
// clustered stream electing its leader) at once with "no responders", and cnats drops that
// answer in NextMsg without saying which reply subject it was for. A stored publish may still be
// waiting for its ack (acks come after the write, this answer before), so the answer can only be
// given to a publish that waits alone. From here on, until a publish is acked again, one publish
// at a time goes out and the others fail at once: each answer is then that publish's.
void NatsPublisher::noResponders()
{
    m_noStream = true;
    if (m_waiting != 1)
        return; // those waiting get an ack, or fail at their timeout
    for (std::size_t i = 0; i < m_queue.size(); ++i) {
        if (m_queue[i].done) {
            NatsPublishResult result;
            result.error = noStreamText();
            return answer(m_firstId + i, result);
        }
    }
}

QString NatsPublisher::noStreamText()
{
    return u"no JetStream stream takes the subject now (NATS has no responders for it: the stream "
           "was deleted, or is electing a leader)"_s;
}

void NatsPublisher::dropAnswered()
{
    while (!m_queue.empty() && !m_queue.front().done) {
        m_queue.pop_front();
        ++m_firstId;
    }
}

void NatsPublisher::expire()
{
    // A server that stopped reading (paused, blocked on its disk) while publishes go on: what
    // they write piles up in cnats' buffer and would be stored after their timeout.
    m_writeStalled = m_loop && m_loop->writeStalledForMs() > m_options.publishTimeout.count() / 4;
    // Every publish has the same timeout, so the oldest expire first.
    const qint64 now = m_clock.elapsed();
    std::vector<NatsClient::PublishCallback> expired;
    while (!m_queue.empty() && m_queue.front().deadlineMs <= now) {
        if (m_queue.front().done) {
            expired.push_back(std::move(m_queue.front().done));
            --m_waiting;
        }
        m_queue.pop_front();
        ++m_firstId;
    }
    dropAnswered();
    NatsPublishResult result;
    result.error =
        u"no JetStream acknowledgement within %1 ms"_s.arg(m_options.publishTimeout.count());
    if (m_noStream) // no ack since NATS answered "no responders"
        result.error += u"; meanwhile "_s + noStreamText();
    for (const NatsClient::PublishCallback &done : expired)
        done(result);
}

} // namespace Switchboard
