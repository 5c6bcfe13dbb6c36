#pragma once

// The console's settings: its language for now. The choice is stored at once and applies at
// the next start (translators are installed before the first window is built).

#include <QDialog>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
QT_END_NAMESPACE

namespace Switchboard {

class ConsoleSettings;

class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SettingsDialog(ConsoleSettings *settings, QWidget *parent = nullptr);

    void accept() override;

private:
    ConsoleSettings *m_settings;
    QComboBox *m_language;
    QLabel *m_restartNote;
    QString m_startLanguage;
};

} // namespace Switchboard
