#include "enginehost.h"

#include "logging.h"

#include <QTimer>

namespace Switchboard {

EngineHost::EngineHost(QObject *parent)
    : QObject(parent)
{
}

EngineHost::~EngineHost()
{
    // Normally stopAll() ran; this is the last line of defence for an early exit.
    for (auto &[engine, thread] : m_threads) {
        if (!thread->isRunning() && !thread->isFinished()) {
            delete engine; // never started (the node failed to start): nothing else deletes it
            continue;
        }
        thread->quit();
        thread->wait(2000);
    }
}

void EngineHost::add(Engine *engine)
{
    auto *thread = new QThread(this);
    thread->setObjectName(engine->name());
    engine->moveToThread(thread);
    // The engine is deleted in its own thread, so its sockets and timers die where they live;
    // only then does the thread end.
    connect(engine, &Engine::finished, engine, &QObject::deleteLater);
    connect(engine, &QObject::destroyed, thread, &QThread::quit, Qt::DirectConnection);
    connect(thread, &QThread::finished, this, &EngineHost::threadEnded);
    m_threads.emplace_back(engine, thread);
}

void EngineHost::startAll()
{
    for (auto &[engine, thread] : m_threads) {
        thread->start();
        QMetaObject::invokeMethod(engine, &Engine::start, Qt::QueuedConnection);
    }
}

void EngineHost::stopAll(int deadlineMs)
{
    if (m_stopping)
        return;
    m_stopping = true;
    if (m_threads.empty()) {
        QTimer::singleShot(0, this, &EngineHost::stopped);
        return;
    }
    for (auto it = m_threads.rbegin(); it != m_threads.rend(); ++it) {
        Engine *engine = it->first;
        QMetaObject::invokeMethod(
            engine, [engine, deadlineMs] { engine->stop(deadlineMs); }, Qt::QueuedConnection);
    }
    // An engine that cannot finish (a thread stuck in a library call) must not keep the
    // process alive past the deadline that systemd and operators rely on.
    QTimer::singleShot(deadlineMs + 1000, this, [this] {
        if (m_threads.empty())
            return;
        for (auto &[engine, thread] : m_threads) {
            qCWarning(lcCore) << "engine" << thread->objectName()
                              << "did not stop in time; leaving it";
            thread->quit();
        }
        m_threads.clear();
        Q_EMIT stopped();
    });
}

void EngineHost::threadEnded()
{
    auto *thread = qobject_cast<QThread *>(sender());
    std::erase_if(m_threads, [thread](const auto &entry) { return entry.second == thread; });
    if (thread)
        thread->deleteLater();
    if (m_stopping && m_threads.empty())
        Q_EMIT stopped();
}

} // namespace Switchboard
