#pragma once

#include <QByteArray>
#include <QList>
#include <QRandomGenerator>

namespace Switchboard {

// Realistic FreeSWITCH traffic for --simulate and the benchmarks: calls that go through
// CHANNEL_CREATE → CHANNEL_PROGRESS → CHANNEL_ANSWER → CHANNEL_BRIDGE → CHANNEL_HANGUP →
// CHANNEL_HANGUP_COMPLETE, each event with the ~40 headers mod_event_socket sends (Event-Name,
// Unique-ID, Event-Date-Timestamp in microseconds, Caller-*, variable_*), plus BACKGROUND_JOB
// events for the jobs stream.
class FreeSwitchEvents
{
public:
    explicit FreeSwitchEvents(quint32 seed = 0);

    // Field, value, field, value... of the next channel event; timestamps are "now".
    QList<QByteArray> nextChannelEvent();
    QList<QByteArray> nextBackgroundJob();
    // The same event as one JSON document (~1.5 KB), for the single-field shape (field `event`, as
    // the Go service read it).
    static QByteArray toJson(const QList<QByteArray> &fields);

private:
    struct Call
    {
        QByteArray uuid;
        QByteArray otherUuid;
        QByteArray caller;
        QByteArray destination;
        QByteArray domain;
        qint64 createdUs = 0;
        qint64 answeredUs = 0;
        int stage = 0;
    };

    QByteArray uuid();
    void startCall();

    QRandomGenerator m_random;
    QList<Call> m_calls;
    qint64 m_sequence = 0;
    QByteArray m_coreUuid;
};

} // namespace Switchboard
