#include "settingsdialog.h"

#include "consolesettings.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

SettingsDialog::SettingsDialog(ConsoleSettings *settings, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_language(new QComboBox(this))
    , m_restartNote(new QLabel(this))
    , m_startLanguage(settings->language())
{
    setWindowTitle(tr("Settings"));
    setObjectName(u"settingsDialog"_s);

    m_language->setObjectName(u"languageCombo"_s);
    for (const ConsoleLanguage &language : ConsoleSettings::languages())
        m_language->addItem(language.name, language.code);
    m_language->setCurrentIndex(qMax(0, m_language->findData(m_startLanguage)));

    m_restartNote->setObjectName(u"restartNote"_s);
    m_restartNote->setWordWrap(true);
    m_restartNote->setText(tr("A restart of Switchboard applies the language."));
    m_restartNote->setVisible(false);
    connect(m_language, &QComboBox::currentIndexChanged, this, [this] {
        m_restartNote->setVisible(m_language->currentData().toString() != m_startLanguage);
    });

    auto *form = new QFormLayout;
    form->addRow(tr("&Language:"), m_language);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_restartNote);
    layout->addStretch(1);
    layout->addWidget(buttons);
}

void SettingsDialog::accept()
{
    m_settings->setLanguage(m_language->currentData().toString());
    QDialog::accept();
}

} // namespace Switchboard
