#include "freeswitchevents.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace Switchboard {

namespace {

const char *const stages[] = {"CHANNEL_CREATE", "CHANNEL_PROGRESS", "CHANNEL_ANSWER",
                              "CHANNEL_BRIDGE", "CHANNEL_HANGUP",   "CHANNEL_HANGUP_COMPLETE"};
const char *const callStates[] = {"DOWN", "EARLY", "ACTIVE", "ACTIVE", "HANGUP", "HANGUP"};
const char *const channelStates[] = {"CS_INIT",           "CS_ROUTING", "CS_EXECUTE",
                                     "CS_EXCHANGE_MEDIA", "CS_HANGUP",  "CS_REPORTING"};
const char *const domains[] = {"vietanh.cloudgo.vn", "cloudgo.vn", "telephony-forwarder.com",
                               "sp.gocontact.pt"};
const char *const hangupCauses[] = {"NORMAL_CLEARING", "USER_BUSY", "NO_ANSWER",
                                    "ORIGINATOR_CANCEL"};

qint64 nowUs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

QByteArray num(qint64 n)
{
    return QByteArray::number(n);
}

} // namespace

FreeSwitchEvents::FreeSwitchEvents(quint32 seed)
    : m_random(seed ? seed : QRandomGenerator::global()->generate())
{
    m_coreUuid = uuid();
}

QByteArray FreeSwitchEvents::uuid()
{
    char buffer[37];
    const quint64 a = m_random.generate64();
    const quint64 b = m_random.generate64();
    std::snprintf(buffer, sizeof buffer, "%08x-%04x-4%03x-a%03x-%012llx", quint32(a >> 32),
                  quint32(a >> 16) & 0xffff, quint32(a) & 0xfff, quint32(b >> 48) & 0xfff,
                  (unsigned long long)(b & 0xffffffffffffULL));
    return QByteArray(buffer);
}

void FreeSwitchEvents::startCall()
{
    Call call;
    call.uuid = uuid();
    call.otherUuid = uuid();
    call.caller = "09" + num(10000000 + m_random.bounded(89999999));
    call.destination = num(2000 + m_random.bounded(100));
    call.domain = domains[m_random.bounded(4)];
    call.createdUs = nowUs();
    m_calls.append(call);
}

QList<QByteArray> FreeSwitchEvents::nextChannelEvent()
{
    // A few dozen calls in progress at once, advanced at random, like a small PBX.
    if (m_calls.size() < 20 || m_random.bounded(6) == 0)
        startCall();
    const qsizetype index = m_random.bounded(int(m_calls.size()));
    Call &call = m_calls[index];
    const int stage = call.stage;
    const qint64 now = nowUs();
    if (stage == 2)
        call.answeredUs = now;
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(now / 1000);

    QList<QByteArray> f;
    f.reserve(96);
    auto add = [&f](const char *name, const QByteArray &value) {
        f.append(QByteArray(name));
        f.append(value);
    };
    add("Event-Name", stages[stage]);
    add("Core-UUID", m_coreUuid);
    add("FreeSWITCH-Hostname", "fs01.pbx.local");
    add("FreeSWITCH-Switchname", "fs01");
    add("FreeSWITCH-IPv4", "10.202.49.38");
    add("Event-Date-Local", time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")).toLatin1());
    add("Event-Date-GMT", time.toUTC().toString(Qt::RFC2822Date).toLatin1());
    add("Event-Date-Timestamp", num(now));
    add("Event-Calling-File", "switch_channel.c");
    add("Event-Calling-Function", "switch_channel_perform_set_running_state");
    add("Event-Calling-Line-Number", num(2100 + stage));
    add("Event-Sequence", num(++m_sequence));
    add("Channel-State", channelStates[stage]);
    add("Channel-Call-State", callStates[stage]);
    add("Channel-State-Number", num(stage + 1));
    add("Channel-Name", "sofia/internal/" + call.caller + '@' + call.domain);
    add("Unique-ID", call.uuid);
    add("Call-Direction", "inbound");
    add("Presence-Call-Direction", "inbound");
    add("Channel-HIT-Dialplan", "true");
    add("Channel-Call-UUID", call.uuid);
    add("Answer-State", stage >= 2 ? "answered" : "ringing");
    add("Caller-Direction", "inbound");
    add("Caller-Logical-Direction", "inbound");
    add("Caller-Username", call.caller);
    add("Caller-Dialplan", "XML");
    add("Caller-Caller-ID-Name", call.caller);
    add("Caller-Caller-ID-Number", call.caller);
    add("Caller-Network-Addr", "10.202.49." + num(10 + m_random.bounded(200)));
    add("Caller-ANI", call.caller);
    add("Caller-Destination-Number", call.destination);
    add("Caller-Unique-ID", call.uuid);
    add("Caller-Source", "mod_sofia");
    add("Caller-Context", call.domain);
    add("Caller-Channel-Name", "sofia/internal/" + call.caller + '@' + call.domain);
    add("Caller-Profile-Index", "1");
    add("Caller-Channel-Created-Time", num(call.createdUs));
    add("Caller-Channel-Answered-Time", num(call.answeredUs));
    add("variable_sip_call_id", call.uuid.left(23) + "@10.202.49.38");
    add("variable_domain_name", call.domain);
    if (stage == 3)
        add("Other-Leg-Unique-ID", call.otherUuid);
    if (stage >= 4) {
        add("Hangup-Cause", hangupCauses[m_random.bounded(4)]);
        add("variable_billsec", num(call.answeredUs ? (now - call.answeredUs) / 1000000 : 0));
    }

    if (++call.stage == 6)
        m_calls.removeAt(index);
    return f;
}

QList<QByteArray> FreeSwitchEvents::nextBackgroundJob()
{
    const qint64 now = nowUs();
    const QByteArray job = uuid();
    const bool originate = m_random.bounded(2) == 0;
    return {"Event-Name",
            "BACKGROUND_JOB",
            "Core-UUID",
            m_coreUuid,
            "FreeSWITCH-Hostname",
            "fs01.pbx.local",
            "Event-Date-Timestamp",
            num(now),
            "Event-Sequence",
            num(++m_sequence),
            "Job-UUID",
            job,
            "Job-Command",
            originate ? "originate" : "uuid_kill",
            "Job-Command-Arg",
            originate ? "{origination_caller_id_number=2006}user/2006 &park" : uuid(),
            "Content-Length",
            "41",
            "_body",
            originate ? "+OK " + uuid() : QByteArray("-ERR No such channel!")};
}

QByteArray FreeSwitchEvents::toJson(const QList<QByteArray> &fields)
{
    QJsonObject object;
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2)
        object.insert(QString::fromUtf8(fields[i]), QString::fromUtf8(fields[i + 1]));
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace Switchboard
