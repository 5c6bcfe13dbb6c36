#pragma once

#include <QObject>

class QSocketNotifier;

namespace Switchboard {

// SIGTERM/SIGINT/SIGHUP turned into a Qt signal in the main thread, with the self-pipe trick
// Qt documents ("Calling Qt Functions From Unix Signal Handlers"): the handler only writes a
// byte; everything else happens in the event loop.
class UnixSignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignalWatcher(QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Switchboard
