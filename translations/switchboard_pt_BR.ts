<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_BR">
<context>
    <name>ConsoleSettings</name>
    <message>
        <source>System</source>
        <translation>Padrão do sistema</translation>
    </message>
</context>
<context>
    <name>QGnomeTheme</name>
    <message>
        <source>&amp;OK</source>
        <translation>&amp;OK</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Cancelar</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fechar</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>&amp;Sim</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>&amp;Não</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fechar</translation>
    </message>
</context>
<context>
    <name>Switchboard::AddNodeDialog</name>
    <message>
        <source>Add node</source>
        <translation>Adicionar nó</translation>
    </message>
    <message>
        <source>the node&apos;s api.token; not needed on this machine</source>
        <translation>o api.token do nó; desnecessário nesta máquina</translation>
    </message>
    <message>
        <source>A headless Switchboard node, reached through its HTTP API. From another machine the node must have api.token set in its configuration.</source>
        <translation>Um nó do Switchboard sem interface gráfica, acessado pela API HTTP. A partir de outra máquina, o nó precisa ter api.token definido na configuração.</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <source>API &amp;token:</source>
        <translation>&amp;Token da API:</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Adicionar</translation>
    </message>
    <message>
        <source>Enter the node&apos;s URL, e.g. http://host:8080.</source>
        <translation>Informe a URL do nó, p. ex. http://host:8080.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a URL: expected http://host:port.</source>
        <translation>&quot;%1&quot; não é uma URL: esperado http://host:porta.</translation>
    </message>
    <message>
        <source>&quot;%1&quot;: the node speaks http or https, not %2.</source>
        <translation>&quot;%1&quot;: o nó usa http ou https, não %2.</translation>
    </message>
    <message>
        <source>The console watches %1 already.</source>
        <translation>O console já monitora %1.</translation>
    </message>
    <message>
        <source>The console will follow %1/api/v1/stream.</source>
        <translation>O console vai acompanhar %1/api/v1/stream.</translation>
    </message>
    <message>
        <source>Over plain http the token travels in the clear: use https (a proxy in front of the node) on a network you do not trust.</source>
        <translation>Em http simples o token trafega sem criptografia: use https (um proxy na frente do nó) em redes não confiáveis.</translation>
    </message>
    <message>
        <source>Edit node</source>
        <translation>Editar nó</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Salvar</translation>
    </message>
</context>
<context>
    <name>Switchboard::DeadLetterEndpointsModel</name>
    <message>
        <source>yes</source>
        <translation>sim</translation>
    </message>
    <message>
        <source>no</source>
        <translation>não</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>sem resposta</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Endpoint</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Entregue</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Tentativas</translation>
    </message>
    <message>
        <source>Last status</source>
        <translation>Último status</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Último erro</translation>
    </message>
</context>
<context>
    <name>Switchboard::DeadLetterView</name>
    <message>
        <source>Last attempt per endpoint</source>
        <translation>Última tentativa por endpoint</translation>
    </message>
    <message>
        <source>Event id:</source>
        <translation>ID do evento:</translation>
    </message>
    <message>
        <source>Domain:</source>
        <translation>Domínio:</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>Motivo:</translation>
    </message>
    <message>
        <source>Deliveries:</source>
        <translation>Entregas:</translation>
    </message>
    <message>
        <source>Received:</source>
        <translation>Recebida em:</translation>
    </message>
    <message>
        <source>Failed:</source>
        <translation>Falhou em:</translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation>Subject:</translation>
    </message>
    <message>
        <source>The event&apos;s body appears here.</source>
        <translation>O corpo do evento aparece aqui.</translation>
    </message>
    <message>
        <source>Body</source>
        <translation>Corpo</translation>
    </message>
    <message>
        <source>Select a dead letter to see its body and what each endpoint answered.</source>
        <translation>Selecione uma mensagem morta para ver o corpo e o que cada endpoint respondeu.</translation>
    </message>
    <message>
        <source>Dead letter %1</source>
        <translation>Mensagem morta %1</translation>
    </message>
    <message>
        <source>no route: no endpoint is configured for this domain</source>
        <translation>sem rota: nenhum endpoint configurado para este domínio</translation>
    </message>
    <message>
        <source>deliveries used up: an endpoint failed every delivery</source>
        <translation>entregas esgotadas: um endpoint falhou em todas as entregas</translation>
    </message>
    <message>
        <source>%1 (event stream sequence %2)</source>
        <translation>%1 (sequência %2 no stream de eventos)</translation>
    </message>
</context>
<context>
    <name>Switchboard::DeadLettersModel</name>
    <message>
        <source>no route</source>
        <translation>sem rota</translation>
    </message>
    <message>
        <source>deliveries used up</source>
        <translation>entregas esgotadas</translation>
    </message>
    <message>
        <source>Received %1, failed %2</source>
        <translation>Recebida em %1, falhou em %2</translation>
    </message>
    <message>
        <source>No endpoint is configured for this domain</source>
        <translation>Nenhum endpoint configurado para este domínio</translation>
    </message>
    <message>
        <source>Every delivery allowed was made and some endpoint still failed</source>
        <translation>Todas as entregas permitidas foram feitas e algum endpoint ainda falhou</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Falhou em</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>Domínio</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Deliveries</source>
        <translation>Entregas</translation>
    </message>
    <message>
        <source>Failed endpoints</source>
        <translation>Endpoints com falha</translation>
    </message>
    <message>
        <source>Event id</source>
        <translation>ID do evento</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Último erro</translation>
    </message>
</context>
<context>
    <name>Switchboard::EnginePanel</name>
    <message>
        <source>No figures yet: the engine has not reported since its node started.</source>
        <translation>Ainda sem números: o mecanismo não informou nada desde que seu nó iniciou.</translation>
    </message>
</context>
<context>
    <name>Switchboard::IngressEndpointsModel</name>
    <message>
        <source>circuit open</source>
        <translation>circuito aberto</translation>
    </message>
    <message>
        <source>Since %1 the endpoint has failed every call: it gets one call at a time, and its other attempts fail at once, until a call succeeds</source>
        <translation>Desde %1 o endpoint falha em todas as chamadas: ele recebe uma chamada por vez, e as outras tentativas falham na hora, até que uma chamada dê certo</translation>
    </message>
    <message>
        <source>no response</source>
        <translation>sem resposta</translation>
    </message>
    <message>
        <source>The last call to this endpoint failed</source>
        <translation>A última chamada a este endpoint falhou</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>Domínio</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Endpoint</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Entregues</translation>
    </message>
    <message>
        <source>Failures</source>
        <translation>Falhas</translation>
    </message>
    <message>
        <source>HTTP errors</source>
        <translation>Erros HTTP</translation>
    </message>
    <message>
        <source>Timeouts</source>
        <translation>Timeouts</translation>
    </message>
    <message>
        <source>Connection errors</source>
        <translation>Erros de conexão</translation>
    </message>
    <message>
        <source>Last status</source>
        <translation>Último status</translation>
    </message>
    <message>
        <source>Last success</source>
        <translation>Último sucesso</translation>
    </message>
    <message>
        <source>Last failure</source>
        <translation>Última falha</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Último erro</translation>
    </message>
    <message>
        <source>Forwards this endpoint answered with 2xx since the node started</source>
        <translation>Encaminhamentos que este endpoint respondeu com 2xx desde que o nó iniciou</translation>
    </message>
    <message>
        <source>Forwards that failed: HTTP errors + timeouts + connection errors</source>
        <translation>Encaminhamentos com falha: erros HTTP + timeouts + erros de conexão</translation>
    </message>
    <message>
        <source>HTTP status of the last call</source>
        <translation>Status HTTP da última chamada</translation>
    </message>
</context>
<context>
    <name>Switchboard::IngressPanel</name>
    <message>
        <source>Endpoints</source>
        <translation>Endpoints</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Mecanismo</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Recebidos</translation>
    </message>
    <message>
        <source>POST /events requests since the node started</source>
        <translation>Requisições POST /events desde que o nó iniciou</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Publicados</translation>
    </message>
    <message>
        <source>Events JetStream acknowledged, answered 202</source>
        <translation>Eventos confirmados pelo JetStream, respondidos com 202</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Rejeitados</translation>
    </message>
    <message>
        <source>Answered 400 or 413 (invalid event) or 503 (NATS unavailable or too slow)</source>
        <translation>Respondidos com 400 ou 413 (evento inválido) ou 503 (NATS indisponível ou lento demais)</translation>
    </message>
    <message>
        <source>Redeliveries</source>
        <translation>Reentregas</translation>
    </message>
    <message>
        <source>Deliveries after the first, because some endpoint failed</source>
        <translation>Entregas além da primeira, porque algum endpoint falhou</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>Mensagens mortas</translation>
    </message>
    <message>
        <source>Events this node turned into dead letters since it started</source>
        <translation>Eventos que este nó transformou em mensagens mortas desde que iniciou</translation>
    </message>
    <message>
        <source>Events/s</source>
        <translation>Eventos/s</translation>
    </message>
    <message>
        <source>Events delivered to every endpoint of their domain, per second</source>
        <translation>Eventos entregues a todos os endpoints do seu domínio, por segundo</translation>
    </message>
    <message>
        <source>Forward latency</source>
        <translation>Latência de encaminhamento</translation>
    </message>
    <message>
        <source>Time from sending a forward to its response</source>
        <translation>Tempo entre o envio de um encaminhamento e a resposta</translation>
    </message>
    <message>
        <source>Consumer pending</source>
        <translation>Pendentes no consumidor</translation>
    </message>
    <message>
        <source>Events in the stream not yet delivered to this node</source>
        <translation>Eventos no stream ainda não entregues a este nó</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>Em andamento</translation>
    </message>
    <message>
        <source>Deliveries being forwarded now</source>
        <translation>Entregas sendo encaminhadas agora</translation>
    </message>
    <message>
        <source>NATS</source>
        <translation>NATS</translation>
    </message>
    <message>
        <source>The connection the engine consumes events on</source>
        <translation>A conexão pela qual o mecanismo consome eventos</translation>
    </message>
    <message>
        <source>Forward failures per second by domain, last 10 minutes</source>
        <translation>Falhas de encaminhamento por segundo e domínio, últimos 10 minutos</translation>
    </message>
    <message>
        <source>failures/s</source>
        <translation>falhas/s</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Atualizar</translation>
    </message>
    <message>
        <source>List the node&apos;s dead letters again</source>
        <translation>Listar novamente as mensagens mortas do nó</translation>
    </message>
    <message>
        <source>Load older</source>
        <translation>Carregar mais antigas</translation>
    </message>
    <message>
        <source>Listing the dead letters…</source>
        <translation>Listando as mensagens mortas…</translation>
    </message>
    <message>
        <source>Replay</source>
        <translation>Reenviar</translation>
    </message>
    <message>
        <source>Publish the event again: the endpoints that did not have it are called again</source>
        <translation>Publica o evento novamente: os endpoints que não o receberam são chamados de novo</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Excluir…</translation>
    </message>
    <message>
        <source>Drop the dead letter for good</source>
        <translation>Descartar a mensagem morta definitivamente</translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation>Aguardando o primeiro status do nó…</translation>
    </message>
    <message>
        <source>Ingress engine not running on this node.</source>
        <translation>O mecanismo de ingestão não está em execução neste nó.</translation>
    </message>
    <message>
        <source>Ingress is unhealthy: %1</source>
        <translation>A ingestão está com problema: %1</translation>
    </message>
    <message>
        <source>%1 (%2 invalid, %3 unavailable)</source>
        <translation>%1 (inválidos: %2, indisponibilidade: %3)</translation>
    </message>
    <message>
        <source>%1 (%2 no route, %3 deliveries used up)</source>
        <translation>%1 (sem rota: %2, entregas esgotadas: %3)</translation>
    </message>
    <message>
        <source>p50 %1 ms, p99 %2 ms</source>
        <translation>p50 %1 ms, p99 %2 ms</translation>
    </message>
    <message>
        <source>unknown while NATS is down</source>
        <translation>desconhecido enquanto o NATS estiver fora</translation>
    </message>
    <message>
        <source>connected to %1</source>
        <translation>conectado a %1</translation>
    </message>
    <message>
        <source>not connected to %1</source>
        <translation>não conectado a %1</translation>
    </message>
    <message>
        <source>Dead letters listed at %1.</source>
        <translation>Mensagens mortas listadas às %1.</translation>
    </message>
    <message>
        <source>Could not list the dead letters: %1</source>
        <translation>Não foi possível listar as mensagens mortas: %1</translation>
    </message>
    <message>
        <source>Could not list older dead letters: %1</source>
        <translation>Não foi possível listar mensagens mortas mais antigas: %1</translation>
    </message>
    <message>
        <source>Dead letters not listed yet</source>
        <translation>Mensagens mortas ainda não listadas</translation>
    </message>
    <message>
        <source>No dead letters: every event reached its endpoints</source>
        <translation>Nenhuma mensagem morta: todos os eventos chegaram aos endpoints</translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) kept, newest first; %1 shown</source>
        <translation>
            <numerusform>%n mensagem morta guardada, mais recente primeiro; exibindo %1</numerusform>
            <numerusform>%n mensagens mortas guardadas, mais recentes primeiro; exibindo %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Select a dead letter to see its body and what each endpoint answered.</source>
        <translation>Selecione uma mensagem morta para ver o corpo e o que cada endpoint respondeu.</translation>
    </message>
    <message>
        <source>Loading dead letter %1…</source>
        <translation>Carregando a mensagem morta %1…</translation>
    </message>
    <message>
        <source>Could not load dead letter %1: %2</source>
        <translation>Não foi possível carregar a mensagem morta %1: %2</translation>
    </message>
    <message>
        <source>Replaying dead letter %1…</source>
        <translation>Reenviando a mensagem morta %1…</translation>
    </message>
    <message>
        <source>Dead letter %1 replayed: event %2 published again (sequence %3).</source>
        <translation>Mensagem morta %1 reenviada: evento %2 publicado novamente (sequência %3).</translation>
    </message>
    <message>
        <source>Dead letter %1 is gone already (replayed or deleted elsewhere).</source>
        <translation>A mensagem morta %1 já não existe (reenviada ou excluída em outro lugar).</translation>
    </message>
    <message>
        <source>Replay of dead letter %1 failed: %2</source>
        <translation>Falha ao reenviar a mensagem morta %1: %2</translation>
    </message>
    <message>
        <source>Delete dead letter</source>
        <translation>Excluir mensagem morta</translation>
    </message>
    <message>
        <source>Delete dead letter %1?</source>
        <translation>Excluir a mensagem morta %1?</translation>
    </message>
    <message>
        <source>Event %1 for %2 is dropped for good: it cannot be replayed afterwards.</source>
        <translation>O evento %1 para %2 será descartado definitivamente: não poderá ser reenviado depois.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Excluir</translation>
    </message>
    <message>
        <source>Deleting dead letter %1…</source>
        <translation>Excluindo a mensagem morta %1…</translation>
    </message>
    <message>
        <source>Dead letter %1 deleted.</source>
        <translation>Mensagem morta %1 excluída.</translation>
    </message>
    <message>
        <source>Deleting dead letter %1 failed: %2</source>
        <translation>Falha ao excluir a mensagem morta %1: %2</translation>
    </message>
    <message>
        <source>%1 did not answer (%2)</source>
        <translation>%1 não respondeu (%2)</translation>
    </message>
    <message>
        <source>%1 wants its API token (401: %2); give it to the console for this node</source>
        <translation>%1 exige o token da API (401: %2); informe-o no console para este nó</translation>
    </message>
    <message>
        <source>%1 refused the call (403: %2); the console needs this node&apos;s API token</source>
        <translation>%1 recusou a chamada (403: %2); o console precisa do token da API deste nó</translation>
    </message>
    <message>
        <source>not found (404: %1)</source>
        <translation>não encontrado (404: %1)</translation>
    </message>
    <message>
        <source>the node cannot do it now (503: %1)</source>
        <translation>o nó não pode fazer isso agora (503: %1)</translation>
    </message>
    <message>
        <source>the node answered HTTP %1 (%2)</source>
        <translation>o nó respondeu HTTP %1 (%2)</translation>
    </message>
    <message>
        <source>Dead letter %1 is gone: the earlier call, whose answer was lost, went through.</source>
        <translation>A mensagem morta %1 já não existe: a chamada anterior, cuja resposta se perdeu, foi concluída.</translation>
    </message>
    <message>
        <source>If the call reached the node, it was done all the same: the list is read again.</source>
        <translation>Se a chamada chegou ao nó, ela foi feita mesmo assim: a lista é lida de novo.</translation>
    </message>
</context>
<context>
    <name>Switchboard::LocalNodeSource</name>
    <message>
        <source>this node (%1)</source>
        <translation>este nó (%1)</translation>
    </message>
</context>
<context>
    <name>Switchboard::LogModel</name>
    <message>
        <source>Alert</source>
        <translation>Alerta</translation>
    </message>
    <message>
        <source>Recovered</source>
        <translation>Recuperado</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Erro</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Aviso</translation>
    </message>
    <message>
        <source>console</source>
        <translation>console</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Nível</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Origem</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensagem</translation>
    </message>
</context>
<context>
    <name>Switchboard::LogPanel</name>
    <message>
        <source>Filter: text in any column</source>
        <translation>Filtro: texto em qualquer coluna</translation>
    </message>
    <message>
        <source>Recovered</source>
        <translation>Recuperado</translation>
    </message>
    <message>
        <source>Newest first: the node&apos;s recent warnings and errors, and the console&apos;s alerts about it.</source>
        <translation>Mais recentes primeiro: avisos e erros recentes do nó e os alertas do console sobre ele.</translation>
    </message>
    <message>
        <source>Rows: %1</source>
        <translation>Linhas: %1</translation>
    </message>
    <message>
        <source>Rows: %1 of %2</source>
        <translation>Linhas: %1 de %2</translation>
    </message>
</context>
<context>
    <name>Switchboard::LongestWaitingModel</name>
    <message>
        <source>unknown</source>
        <translation>desconhecido</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>nenhum ainda</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1, waiting for %2</source>
        <translation>%1, aguardando há %2</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Conversa</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agente</translation>
    </message>
    <message>
        <source>Waiting since</source>
        <translation>Aguardando desde</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Nível</translation>
    </message>
    <message>
        <source>Next level</source>
        <translation>Próximo nível</translation>
    </message>
    <message>
        <source>Due at</source>
        <translation>Vence às</translation>
    </message>
    <message>
        <source>The agent&apos;s last message, which the customer has not answered</source>
        <translation>A última mensagem do agente, ainda sem resposta do cliente</translation>
    </message>
    <message>
        <source>The last level notified for this wait</source>
        <translation>O último nível notificado nesta espera</translation>
    </message>
    <message>
        <source>The level notified next</source>
        <translation>O próximo nível a ser notificado</translation>
    </message>
    <message>
        <source>When the next level is due: waiting since + level × interval</source>
        <translation>Quando o próximo nível vence: aguardando desde + nível × intervalo</translation>
    </message>
</context>
<context>
    <name>Switchboard::MainWindow</name>
    <message>
        <source>Switchboard</source>
        <translation>Switchboard</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Nós</translation>
    </message>
    <message>
        <source>Add node…</source>
        <translation>Adicionar nó…</translation>
    </message>
    <message>
        <source>Watch a headless node elsewhere, by its URL</source>
        <translation>Monitorar um nó sem interface gráfica em outra máquina, pela URL</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Remover</translation>
    </message>
    <message>
        <source>Stop watching the selected remote node</source>
        <translation>Parar de monitorar o nó remoto selecionado</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Arquivo</translation>
    </message>
    <message>
        <source>&amp;Add node…</source>
        <translation>&amp;Adicionar nó…</translation>
    </message>
    <message>
        <source>&amp;Remove node</source>
        <translation>&amp;Remover nó</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Configurações…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Sair</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Exibir</translation>
    </message>
    <message>
        <source>&amp;Log of the selected node</source>
        <translation>&amp;Log do nó selecionado</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Aj&amp;uda</translation>
    </message>
    <message>
        <source>&amp;About Switchboard</source>
        <translation>&amp;Sobre o Switchboard</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Mostrar</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Sair</translation>
    </message>
    <message>
        <source>Remove node</source>
        <translation>Remover nó</translation>
    </message>
    <message>
        <source>Stop watching %1? Its engines keep running; you can add it again later.</source>
        <translation>Parar de monitorar %1? Os mecanismos dele continuam em execução; você pode adicioná-lo de novo depois.</translation>
    </message>
    <message>
        <source>The new language applies when Switchboard starts again.</source>
        <translation>O novo idioma passa a valer quando o Switchboard for reiniciado.</translation>
    </message>
    <message>
        <source>About Switchboard</source>
        <translation>Sobre o Switchboard</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Switchboard %1&lt;/h3&gt;&lt;p&gt;The contact centre&apos;s event engines (Redis stream sync, event ingress, polling, timeouts) with their HTTP API and this operator console.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Switchboard %1&lt;/h3&gt;&lt;p&gt;Os mecanismos de eventos da central de atendimento (sincronização de streams Redis, ingestão de eventos, polling, timeouts) com sua API HTTP e este console do operador.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Stopping the engines: finishing the work in flight…</source>
        <translation>Parando os mecanismos: concluindo o trabalho em andamento…</translation>
    </message>
    <message>
        <source>Switchboard: stopping</source>
        <translation>Switchboard: parando</translation>
    </message>
    <message>
        <source>Close Switchboard</source>
        <translation>Fechar o Switchboard</translation>
    </message>
    <message>
        <source>Keep the engines running in the tray, or quit?</source>
        <translation>Manter os mecanismos em execução na bandeja do sistema ou sair?</translation>
    </message>
    <message>
        <source>The engines of this node run in this process. Quitting stops them gracefully: the work in flight is finished first.</source>
        <translation>Os mecanismos deste nó rodam neste processo. Sair os encerra de forma ordenada: o trabalho em andamento é concluído antes.</translation>
    </message>
    <message>
        <source>Keep running in tray</source>
        <translation>Manter na bandeja</translation>
    </message>
    <message>
        <source>Switchboard keeps running</source>
        <translation>O Switchboard continua em execução</translation>
    </message>
    <message>
        <source>The engines keep running. Open the console from the tray icon.</source>
        <translation>Os mecanismos continuam em execução. Abra o console pelo ícone na bandeja do sistema.</translation>
    </message>
    <message>
        <source>Problems on the nodes</source>
        <translation>Problemas nos nós</translation>
    </message>
    <message>
        <source>Nodes: %1 · all engines healthy</source>
        <translation>Nós: %1 · todos os mecanismos saudáveis</translation>
    </message>
    <message>
        <source>Switchboard: %1</source>
        <translation>Switchboard: %1</translation>
    </message>
    <message>
        <source>unhealthy engines: %1</source>
        <translation>mecanismos com problema: %1</translation>
    </message>
    <message>
        <source>not answering: %1</source>
        <translation>sem resposta: %1</translation>
    </message>
    <message>
        <source>API token refused: %1</source>
        <translation>token da API recusado: %1</translation>
    </message>
    <message>
        <source>Nodes: %1</source>
        <translation>Nós: %1</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Editar…</translation>
    </message>
    <message>
        <source>Change the selected remote node&apos;s URL or API token</source>
        <translation>Alterar a URL ou o token da API do nó remoto selecionado</translation>
    </message>
    <message>
        <source>&amp;Edit node…</source>
        <translation>&amp;Editar nó…</translation>
    </message>
    <message>
        <source>Settings not saved</source>
        <translation>Configurações não salvas</translation>
    </message>
    <message>
        <source>The console cannot write its settings to %1.</source>
        <translation>O console não consegue gravar suas configurações em %1.</translation>
    </message>
    <message>
        <source>The change holds until the console quits; at the next start it is lost. Check that the file and its folder belong to you and that the disk is not full.</source>
        <translation>A alteração vale até o console ser encerrado; na próxima inicialização ela se perde. Verifique se o arquivo e a pasta dele pertencem a você e se o disco não está cheio.</translation>
    </message>
    <message>
        <source>This computer&apos;s engines cannot start: %1</source>
        <translation>Os mecanismos deste computador não conseguem iniciar: %1</translation>
    </message>
    <message>
        <source>The console shows the nodes added to it. A Switchboard service running on this computer is watched with Add node: http://127.0.0.1 and its port. Run switchboard from a terminal to read the log.</source>
        <translation>O console mostra os nós adicionados a ele. Um serviço Switchboard em execução neste computador é acompanhado com Adicionar nó: http://127.0.0.1 e a porta dele. Execute o switchboard em um terminal para ler o log.</translation>
    </message>
    <message>
        <source>This computer&apos;s engines are not running: %1</source>
        <translation>Os mecanismos deste computador não estão em execução: %1</translation>
    </message>
    <message>
        <source>waiting for a first status: %1</source>
        <translation>aguardando o primeiro status: %1</translation>
    </message>
    <message>
        <source>engines starting: %1</source>
        <translation>mecanismos iniciando: %1</translation>
    </message>
    <message>
        <source>running no engine: %1</source>
        <translation>sem mecanismo em execução: %1</translation>
    </message>
</context>
<context>
    <name>Switchboard::NodeView</name>
    <message>
        <source>Log</source>
        <translation>Log</translation>
    </message>
    <message>
        <source>version %1</source>
        <translation>versão %1</translation>
    </message>
    <message>
        <source>host %1, pid %2</source>
        <translation>host %1, pid %2</translation>
    </message>
    <message>
        <source>started %1</source>
        <translation>iniciado em %1</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>conectando…</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>saudável</translation>
    </message>
    <message>
        <source>not running</source>
        <translation>não está em execução</translation>
    </message>
    <message>
        <source>Connect now</source>
        <translation>Conectar agora</translation>
    </message>
    <message>
        <source>Ask the node again now (F5). The console asks on its own too, less often the longer the node is lost, 18 s apart at the most.</source>
        <translation>Perguntar ao nó de novo agora (F5). O console também pergunta sozinho, menos vezes quanto mais tempo o nó fica perdido, com no máximo 18 s entre as tentativas.</translation>
    </message>
    <message>
        <source>asked again at %1</source>
        <translation>perguntado de novo às %1</translation>
    </message>
    <message>
        <source>starting: %1</source>
        <translation>iniciando: %1</translation>
    </message>
</context>
<context>
    <name>Switchboard::NodesModel</name>
    <message>
        <source>waiting for the node&apos;s first status</source>
        <translation>aguardando o primeiro status do nó</translation>
    </message>
    <message>
        <source>the node gives no reason</source>
        <translation>o nó não informa o motivo</translation>
    </message>
    <message>
        <source>unreachable since %1</source>
        <translation>inacessível desde %1</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>Sincronização</translation>
    </message>
    <message>
        <source>Ingress</source>
        <translation>Ingestão</translation>
    </message>
    <message>
        <source>Timeouts</source>
        <translation>Timeouts</translation>
    </message>
    <message>
        <source>Polling</source>
        <translation>Polling</translation>
    </message>
    <message>
        <source>%1 unhealthy on %2</source>
        <translation>%1 com problema em %2</translation>
    </message>
    <message>
        <source>%1 healthy again on %2</source>
        <translation>%1 saudável novamente em %2</translation>
    </message>
    <message>
        <source>%1 does not answer</source>
        <translation>%1 não responde</translation>
    </message>
    <message>
        <source>%1 answers again</source>
        <translation>%1 voltou a responder</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>conectando…</translation>
    </message>
    <message>
        <source>unhealthy: %1</source>
        <translation>com problema: %1</translation>
    </message>
    <message>
        <source>all engines healthy</source>
        <translation>todos os mecanismos saudáveis</translation>
    </message>
    <message>
        <source>no engine running</source>
        <translation>nenhum mecanismo em execução</translation>
    </message>
    <message>
        <source>%1: healthy</source>
        <translation>%1: saudável</translation>
    </message>
    <message>
        <source>%1: not running</source>
        <translation>%1: não está em execução</translation>
    </message>
    <message>
        <source>%1: unknown</source>
        <translation>%1: desconhecido</translation>
    </message>
    <message>
        <source>%1 does not answer (%3) since %2.</source>
        <translation>%1 não responde desde %2 (%3).</translation>
    </message>
    <message>
        <source>%1 has not answered since %2 (%3). The figures below are its last status.</source>
        <translation>%1 não responde desde %2 (%3). Os números abaixo são do último status recebido.</translation>
    </message>
    <message>
        <source>API token refused since %1</source>
        <translation>token da API recusado desde %1</translation>
    </message>
    <message>
        <source>%1 refuses the console&apos;s API token (%3) since %2.</source>
        <translation>%1 recusa o token da API do console (%3) desde %2.</translation>
    </message>
    <message>
        <source>%1 has refused the console&apos;s API token since %2 (%3). The figures below are its last status.</source>
        <translation>%1 recusa o token da API do console desde %2 (%3). Os números abaixo são do último status recebido.</translation>
    </message>
    <message>
        <source>%1 refuses the console&apos;s API token</source>
        <translation>%1 recusa o token da API do console</translation>
    </message>
    <message>
        <source>%1 accepts the console&apos;s API token again</source>
        <translation>%1 voltou a aceitar o token da API do console</translation>
    </message>
    <message>
        <source>Starting: %1. Shown as failed if it is not running at %2.</source>
        <translation>Iniciando: %1. Será mostrado como falha se não estiver em execução às %2.</translation>
    </message>
    <message>
        <source>starting: %1</source>
        <translation>iniciando: %1</translation>
    </message>
    <message>
        <source>%1: starting (%2)</source>
        <translation>%1: iniciando (%2)</translation>
    </message>
</context>
<context>
    <name>Switchboard::PollingPanel</name>
    <message>
        <source>Held long polls and publishes per second</source>
        <translation>Long polls em espera e publicações por segundo</translation>
    </message>
    <message>
        <source>count</source>
        <translation>quantidade</translation>
    </message>
    <message>
        <source>Wake latency, publish to answer (p50 solid, p99 dashed)</source>
        <translation>Latência de despertar, da publicação à resposta (p50 contínua, p99 tracejada)</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Mecanismo</translation>
    </message>
    <message>
        <source>Redis:</source>
        <translation>Redis:</translation>
    </message>
    <message>
        <source>Held polls:</source>
        <translation>Polls em espera:</translation>
    </message>
    <message>
        <source>Publishes/s:</source>
        <translation>Publicações/s:</translation>
    </message>
    <message>
        <source>Wake-ups:</source>
        <translation>Despertares:</translation>
    </message>
    <message>
        <source>Reads:</source>
        <translation>Leituras:</translation>
    </message>
    <message>
        <source>Refused tokens:</source>
        <translation>Tokens recusados:</translation>
    </message>
    <message>
        <source>Clients gone:</source>
        <translation>Clientes que saíram:</translation>
    </message>
    <message>
        <source>History lost:</source>
        <translation>Histórico perdido:</translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation>Aguardando o primeiro status do nó…</translation>
    </message>
    <message>
        <source>Polling engine not running on this node.</source>
        <translation>Mecanismo de polling não está rodando neste nó.</translation>
    </message>
    <message>
        <source>Polling unhealthy: %1</source>
        <translation>Polling com problema: %1</translation>
    </message>
    <message>
        <source>held polls</source>
        <translation>polls em espera</translation>
    </message>
    <message>
        <source>publishes/s</source>
        <translation>publicações/s</translation>
    </message>
    <message>
        <source>wake latency</source>
        <translation>latência de despertar</translation>
    </message>
    <message>
        <source>%1, connected</source>
        <translation>%1, conectado</translation>
    </message>
    <message>
        <source>%1, not connected</source>
        <translation>%1, desconectado</translation>
    </message>
    <message>
        <source>%1 (p50 %2 ms, p99 %3 ms)</source>
        <translation>%1 (p50 %2 ms, p99 %3 ms)</translation>
    </message>
    <message>
        <source>%1 in flight, %2 queued</source>
        <translation>%1 em andamento, %2 na fila</translation>
    </message>
    <message>
        <source>%1 (none in the last minute)</source>
        <translation>%1 (nenhum no último minuto)</translation>
    </message>
</context>
<context>
    <name>Switchboard::RemoteNodeSource</name>
    <message>
        <source>no status for %1 s</source>
        <translation>sem status há %1 s</translation>
    </message>
    <message>
        <source>connection closed</source>
        <translation>conexão encerrada</translation>
    </message>
    <message>
        <source>it sent a status of over %1 MiB, more than the console reads</source>
        <translation>enviou um status de mais de %1 MiB, mais do que o console lê</translation>
    </message>
    <message>
        <source>it sends something other than a status: &quot;%1&quot;</source>
        <translation>envia algo que não é um status: &quot;%1&quot;</translation>
    </message>
    <message>
        <source>it answers /api/v1/status, but its WebSocket stream was refused (%1): a proxy in front of it that does not pass WebSocket upgrades?</source>
        <translation>responde a /api/v1/status, mas seu stream WebSocket foi recusado (%1): um proxy na frente dele que não repassa upgrades de WebSocket?</translation>
    </message>
</context>
<context>
    <name>Switchboard::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Configurações</translation>
    </message>
    <message>
        <source>A restart of Switchboard applies the language.</source>
        <translation>O idioma é aplicado ao reiniciar o Switchboard.</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Idioma:</translation>
    </message>
</context>
<context>
    <name>Switchboard::SyncPanel</name>
    <message>
        <source>%1, connected</source>
        <translation>%1, conectado</translation>
    </message>
    <message>
        <source>%1, not connected</source>
        <translation>%1, desconectado</translation>
    </message>
    <message>
        <source>Lag per stream (entries waiting), up to the last 10 minutes</source>
        <translation>Defasagem por stream (entradas aguardando), até os últimos 10 minutos</translation>
    </message>
    <message>
        <source>entries</source>
        <translation>entradas</translation>
    </message>
    <message>
        <source>End-to-end latency per stream (p50 solid, p99 dashed)</source>
        <translation>Latência ponta a ponta por stream (p50 contínua, p99 tracejada)</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>Streams</source>
        <translation>Streams</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Mecanismo</translation>
    </message>
    <message>
        <source>Local Redis</source>
        <translation>Redis local</translation>
    </message>
    <message>
        <source>Where the streams are read (XREADGROUP)</source>
        <translation>Onde os streams são lidos (XREADGROUP)</translation>
    </message>
    <message>
        <source>Remote Redis</source>
        <translation>Redis remoto</translation>
    </message>
    <message>
        <source>Where the entries are written (XADD)</source>
        <translation>Onde as entradas são gravadas (XADD)</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Grupo</translation>
    </message>
    <message>
        <source>The consumer group on the local streams</source>
        <translation>O grupo de consumidores nos streams locais</translation>
    </message>
    <message>
        <source>Consumer</source>
        <translation>Consumidor</translation>
    </message>
    <message>
        <source>This node&apos;s consumer in the group</source>
        <translation>O consumidor deste nó no grupo</translation>
    </message>
    <message>
        <source>Buffered</source>
        <translation>No buffer</translation>
    </message>
    <message>
        <source>Entries read and not yet acknowledged</source>
        <translation>Entradas lidas e ainda não confirmadas</translation>
    </message>
    <message>
        <source>Back-pressure</source>
        <translation>Contrapressão</translation>
    </message>
    <message>
        <source>Reading pauses while the buffer is full: the remote is slower than the local streams</source>
        <translation>A leitura pausa enquanto o buffer está cheio: o Redis remoto está mais lento que os streams locais</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Erros</translation>
    </message>
    <message>
        <source>Read and write errors since the node started</source>
        <translation>Erros de leitura e gravação desde que o nó iniciou</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Última sincronização</translation>
    </message>
    <message>
        <source>The last entry confirmed on the remote</source>
        <translation>A última entrada confirmada no Redis remoto</translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation>Aguardando o primeiro status do nó…</translation>
    </message>
    <message>
        <source>Sync engine not running on this node.</source>
        <translation>O mecanismo de sincronização não está em execução neste nó.</translation>
    </message>
    <message>
        <source>Sync is unhealthy: %1</source>
        <translation>A sincronização está com problema: %1</translation>
    </message>
    <message numerus="yes">
        <source>%Ln entries (%1)</source>
        <translation>
            <numerusform>%Ln entrada (%1)</numerusform>
            <numerusform>%Ln entradas (%1)</numerusform>
        </translation>
    </message>
    <message>
        <source>yes: reading paused</source>
        <translation>sim: leitura pausada</translation>
    </message>
    <message>
        <source>no</source>
        <translation>não</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nunca</translation>
    </message>
</context>
<context>
    <name>Switchboard::SyncStreamsModel</name>
    <message>
        <source>unknown</source>
        <translation>desconhecido</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nunca</translation>
    </message>
    <message>
        <source>Stream</source>
        <translation>Stream</translation>
    </message>
    <message>
        <source>Lag</source>
        <translation>Defasagem</translation>
    </message>
    <message>
        <source>p50 ms</source>
        <translation>p50 ms</translation>
    </message>
    <message>
        <source>p99 ms</source>
        <translation>p99 ms</translation>
    </message>
    <message>
        <source>Rate/s</source>
        <translation>Taxa/s</translation>
    </message>
    <message>
        <source>Replicated</source>
        <translation>Replicadas</translation>
    </message>
    <message>
        <source>Read errors</source>
        <translation>Erros de leitura</translation>
    </message>
    <message>
        <source>Write errors</source>
        <translation>Erros de gravação</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>Última sincronização</translation>
    </message>
    <message>
        <source>Consumers</source>
        <translation>Consumidores</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Pendentes</translation>
    </message>
    <message>
        <source>Entries in the local stream not yet replicated to the remote</source>
        <translation>Entradas do stream local ainda não replicadas no Redis remoto</translation>
    </message>
    <message>
        <source>End-to-end latency, from the event&apos;s own time to the remote write (median and 99th percentile)</source>
        <translation>Latência ponta a ponta, do horário do próprio evento até a gravação no Redis remoto (mediana e percentil 99)</translation>
    </message>
    <message>
        <source>Entries replicated per second, last second</source>
        <translation>Entradas replicadas por segundo, no último segundo</translation>
    </message>
    <message>
        <source>Entries this node confirmed on the remote since it started</source>
        <translation>Entradas que este nó confirmou no Redis remoto desde que iniciou</translation>
    </message>
    <message>
        <source>Consumers in the group on the local stream</source>
        <translation>Consumidores do grupo no stream local</translation>
    </message>
    <message>
        <source>Entries delivered to some consumer of the group and not yet acknowledged</source>
        <translation>Entradas entregues a algum consumidor do grupo e ainda não confirmadas</translation>
    </message>
    <message>
        <source>Lost unread</source>
        <translation>Perdidas sem leitura</translation>
    </message>
    <message>
        <source>Entries trimmed from the local stream (a producer&apos;s MAXLEN or MINID) before the group read them: they are not on the remote. Unknown before Redis 7</source>
        <translation>Entradas cortadas do stream local (MAXLEN ou MINID de um produtor) antes de o grupo lê-las: não estão no remoto. Desconhecido antes do Redis 7</translation>
    </message>
</context>
<context>
    <name>Switchboard::TimeoutsPanel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>em %1</translation>
    </message>
    <message>
        <source>overdue %1</source>
        <translation>atrasado há %1</translation>
    </message>
    <message>
        <source>level 1: %1, level 2: %2, level 3: %3</source>
        <translation>nível 1: %1, nível 2: %2, nível 3: %3</translation>
    </message>
    <message>
        <source>Conversations waiting, and levels overdue</source>
        <translation>Conversas aguardando e níveis atrasados</translation>
    </message>
    <message>
        <source>count</source>
        <translation>quantidade</translation>
    </message>
    <message>
        <source>Notifications per minute, per level (cluster)</source>
        <translation>Notificações por minuto, por nível (cluster)</translation>
    </message>
    <message>
        <source>per minute</source>
        <translation>por minuto</translation>
    </message>
    <message>
        <source>Longest waiting</source>
        <translation>Aguardando há mais tempo</translation>
    </message>
    <message>
        <source>Leader</source>
        <translation>Líder</translation>
    </message>
    <message>
        <source>Who raises the notifications: the node holding the lease in Redis. The epoch grows with every new leadership.</source>
        <translation>Quem emite as notificações: o nó que detém a concessão (lease) no Redis. A época aumenta a cada nova liderança.</translation>
    </message>
    <message>
        <source>Changes seen by this console, newest first:</source>
        <translation>Mudanças vistas por este console, mais recentes primeiro:</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>nenhuma ainda</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Mecanismo</translation>
    </message>
    <message>
        <source>Redis</source>
        <translation>Redis</translation>
    </message>
    <message>
        <source>Where the waiting conversations and the election live</source>
        <translation>Onde ficam as conversas em espera e a eleição</translation>
    </message>
    <message>
        <source>This node</source>
        <translation>Este nó</translation>
    </message>
    <message>
        <source>This node&apos;s name in the election (POD_ID) and its part in it</source>
        <translation>O nome deste nó na eleição (POD_ID) e o seu papel nela</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Aguardando</translation>
    </message>
    <message>
        <source>Conversations waiting for a customer&apos;s reply</source>
        <translation>Conversas aguardando a resposta de um cliente</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Atrasados</translation>
    </message>
    <message>
        <source>Levels due now and not yet notified: grows while no node leads, or while the leader&apos;s checks fall behind</source>
        <translation>Níveis já vencidos e ainda não notificados: cresce enquanto nenhum nó lidera ou enquanto as verificações do líder ficam para trás</translation>
    </message>
    <message>
        <source>Timing</source>
        <translation>Tempos</translation>
    </message>
    <message>
        <source>Level n is due n intervals after the agent&apos;s message; the leader checks for due levels this often</source>
        <translation>O nível n vence n intervalos após a mensagem do agente; o líder procura níveis vencidos com esta frequência</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>Verificações</translation>
    </message>
    <message>
        <source>How long the leader&apos;s last check took, its 99th percentile, and how many checks this node ran</source>
        <translation>Quanto durou a última verificação do líder, o percentil 99 e quantas verificações este nó executou</translation>
    </message>
    <message>
        <source>Notified</source>
        <translation>Notificados</translation>
    </message>
    <message>
        <source>Notifications raised since the data began, cluster-wide</source>
        <translation>Notificações emitidas desde o início dos dados, em todo o cluster</translation>
    </message>
    <message>
        <source>By this node</source>
        <translation>Por este nó</translation>
    </message>
    <message>
        <source>Notifications this node raised while it led</source>
        <translation>Notificações que este nó emitiu enquanto era líder</translation>
    </message>
    <message>
        <source>Leader changes</source>
        <translation>Mudanças de líder</translation>
    </message>
    <message>
        <source>Changes of leader this node has seen since it started</source>
        <translation>Mudanças de líder que este nó viu desde que iniciou</translation>
    </message>
    <message>
        <source>Webhook</source>
        <translation>Webhook</translation>
    </message>
    <message>
        <source>Notifications posted to NOTIFICATION_WEBHOOK_URL by this node</source>
        <translation>Notificações enviadas por este nó para NOTIFICATION_WEBHOOK_URL</translation>
    </message>
    <message>
        <source>Last webhook error</source>
        <translation>Último erro do webhook</translation>
    </message>
    <message>
        <source>The last failed delivery&apos;s reason</source>
        <translation>O motivo da última entrega que falhou</translation>
    </message>
    <message>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <source>Requests to /conversations/{id}/… this node answered</source>
        <translation>Requisições a /conversations/{id}/… respondidas por este nó</translation>
    </message>
    <message>
        <source>Notifications due in the next 30 minutes</source>
        <translation>Notificações que vencem nos próximos 30 minutos</translation>
    </message>
    <message>
        <source>due</source>
        <translation>a vencer</translation>
    </message>
    <message>
        <source>minutes from now</source>
        <translation>minutos a partir de agora</translation>
    </message>
    <message>
        <source>notifications</source>
        <translation>notificações</translation>
    </message>
    <message>
        <source>Minute %1 from now: %2 due</source>
        <translation>Minuto %1 a partir de agora: %2 a vencer</translation>
    </message>
    <message>
        <source>Waiting for the node&apos;s first status…</source>
        <translation>Aguardando o primeiro status do nó…</translation>
    </message>
    <message>
        <source>Timeouts engine not running on this node.</source>
        <translation>O mecanismo de timeouts não está em execução neste nó.</translation>
    </message>
    <message>
        <source>Timeouts is unhealthy: %1</source>
        <translation>Timeouts com problema: %1</translation>
    </message>
    <message>
        <source>%1 (epoch %2)</source>
        <translation>%1 (época %2)</translation>
    </message>
    <message>
        <source>Leader lost: %1 at %2, no node leads</source>
        <translation>Líder perdido: %1 às %2, nenhum nó lidera</translation>
    </message>
    <message>
        <source>No timeouts leader on %1</source>
        <translation>Nenhum líder de timeouts em %1</translation>
    </message>
    <message>
        <source>%1 no longer leads; no node raises notifications</source>
        <translation>%1 não lidera mais; nenhum nó emite notificações</translation>
    </message>
    <message>
        <source>Leader elected: %1 at %2</source>
        <translation>Líder eleito: %1 às %2</translation>
    </message>
    <message>
        <source>Timeouts leader elected on %1</source>
        <translation>Líder de timeouts eleito em %1</translation>
    </message>
    <message>
        <source>Leader changed: %1 → %2 at %3</source>
        <translation>Líder mudou: %1 → %2 às %3</translation>
    </message>
    <message>
        <source>Timeouts leader changed on %1</source>
        <translation>Líder de timeouts mudou em %1</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>aguardando</translation>
    </message>
    <message>
        <source>levels overdue</source>
        <translation>níveis atrasados</translation>
    </message>
    <message>
        <source>level %1</source>
        <translation>nível %1</translation>
    </message>
    <message>
        <source>Leader unknown: Redis %1 does not answer</source>
        <translation>Líder desconhecido: o Redis %1 não responde</translation>
    </message>
    <message>
        <source>No leader since %1: no node raises notifications</source>
        <translation>Sem líder desde %1: nenhum nó emite notificações</translation>
    </message>
    <message>
        <source>%1 leads, epoch %2, since %3 (for %4)</source>
        <translation>%1 lidera, época %2, desde %3 (há %4)</translation>
    </message>
    <message>
        <source>this node</source>
        <translation>este nó</translation>
    </message>
    <message>
        <source>%1, connected</source>
        <translation>%1, conectado</translation>
    </message>
    <message>
        <source>%1, not connected</source>
        <translation>%1, desconectado</translation>
    </message>
    <message>
        <source>%1, leader (epoch %2)</source>
        <translation>%1, líder (época %2)</translation>
    </message>
    <message>
        <source>%1, standby</source>
        <translation>%1, em espera</translation>
    </message>
    <message>
        <source>a level every %1, a check every %2 ms</source>
        <translation>um nível a cada %1, uma verificação a cada %2 ms</translation>
    </message>
    <message>
        <source>NOTIFICATION_WEBHOOK_URL is not set on this node</source>
        <translation>NOTIFICATION_WEBHOOK_URL não está definida neste nó</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nenhum</translation>
    </message>
    <message>
        <source>not configured on this node</source>
        <translation>não configurado neste nó</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>desconhecido</translation>
    </message>
    <message>
        <source>last %1 ms, p99 %2 ms (checks: %3)</source>
        <translation>última %1 ms, p99 %2 ms (verificações: %3)</translation>
    </message>
    <message>
        <source>failed attempts %1</source>
        <translation>tentativas com falha %1</translation>
    </message>
    <message>
        <source>delivered %1</source>
        <translation>entregues %1</translation>
    </message>
    <message>
        <source>retrying %1, pending %2</source>
        <translation>em nova tentativa %1, pendentes %2</translation>
    </message>
    <message>
        <source>agent messages %1, customer responses %2, bad requests %3</source>
        <translation>mensagens de agentes %1, respostas de clientes %2, requisições inválidas %3</translation>
    </message>
    <message>
        <source>set aside %1 (refused, in timeout:refused_notifications)</source>
        <translation>postas de lado %1 (recusadas, em timeout:refused_notifications)</translation>
    </message>
    <message>
        <source>Data lost</source>
        <translation>Dados perdidos</translation>
    </message>
    <message>
        <source>Times this node found that Redis had lost the timeouts&apos; data (timeout:dataset gone): the conversations then waiting are notified no more. The node is unhealthy for 15 minutes after each; this stays until it restarts</source>
        <translation>Vezes em que este nó descobriu que o Redis perdeu os dados dos timeouts (timeout:dataset sumiu): as conversas que esperavam então não são mais notificadas. O nó fica não saudável por 15 minutos após cada uma; isto fica até ele reiniciar</translation>
    </message>
    <message>
        <source>%1, the last at %2</source>
        <translation>%1, a última às %2</translation>
    </message>
    <message>
        <source>%1 conversations were waiting then</source>
        <translation>%1 conversas esperavam então</translation>
    </message>
</context>
</TS>
