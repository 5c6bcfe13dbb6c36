#include "engine.h"

namespace Switchboard {

void SnapshotBoard::expect(const QString &engine)
{
    QMutexLocker lock(&m_mutex);
    if (!m_expected.contains(engine))
        m_expected.append(engine);
}

void SnapshotBoard::publish(const SnapshotPtr &snapshot)
{
    QMutexLocker lock(&m_mutex);
    m_snapshots[snapshot->engineName()] = snapshot;
}

SnapshotPtr SnapshotBoard::get(const QString &engine) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_snapshots.find(engine);
    return it == m_snapshots.end() ? nullptr : it->second;
}

std::map<QString, SnapshotPtr> SnapshotBoard::all() const
{
    QMutexLocker lock(&m_mutex);
    return m_snapshots;
}

QStringList SnapshotBoard::starting() const
{
    QMutexLocker lock(&m_mutex);
    QStringList names;
    for (const QString &name : m_expected) {
        if (!m_snapshots.contains(name))
            names.append(name);
    }
    return names;
}

Engine::Engine(const QString &name, SnapshotBoard *board, HealthAwaits awaits, QObject *parent)
    : QObject(parent)
    , m_name(name)
    , m_board(board)
{
    if (awaits == HealthAwaits::FirstSnapshot)
        m_board->expect(name);
}

} // namespace Switchboard
