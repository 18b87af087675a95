<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES" sourcelanguage="en_US">
<context>
    <name>AddressBookView</name>
    <message>
        <source>Address book: who each address belongs to, and how it was verified</source>
        <translation>Libreta de direcciones: a quién pertenece cada dirección y cómo se verificó</translation>
    </message>
    <message>
        <source>Search names, organisations, addresses</source>
        <translation>Buscar nombres, organizaciones, direcciones</translation>
    </message>
    <message>
        <source>Search the address book</source>
        <translation>Buscar en la libreta de direcciones</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Dirección</translation>
    </message>
    <message>
        <source>Verified</source>
        <translation>Verificada</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>Organización</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>Contactos</translation>
    </message>
    <message>
        <source>New contac&amp;t…</source>
        <translation>Nuevo con&amp;tacto…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Editar…</translation>
    </message>
    <message>
        <source>Ver&amp;ify…</source>
        <translation>Ver&amp;ificar…</translation>
    </message>
    <message>
        <source>&amp;Merge selected</source>
        <translation>Co&amp;mbinar seleccionados</translation>
    </message>
    <message>
        <source>Do n&amp;ot email</source>
        <translation>N&amp;o enviar correo</translation>
    </message>
    <message>
        <source>not verified</source>
        <translation>sin verificar</translation>
    </message>
    <message>
        <source> · do not email</source>
        <translation> · no enviar correo</translation>
    </message>
    <message>
        <source> · bounced</source>
        <translation> · rebotó</translation>
    </message>
    <message>
        <source>{count} contacts</source>
        <translation>{count} contactos</translation>
    </message>
    <message>
        <source>May email ag&amp;ain</source>
        <translation>Puede recibir correo de nuev&amp;o</translation>
    </message>
    <message>
        <source>The address book could not be changed.</source>
        <translation>No se pudo cambiar la libreta de direcciones.</translation>
    </message>
    <message>
        <source>Contact added.</source>
        <translation>Contacto añadido.</translation>
    </message>
    <message>
        <source>Contact saved.</source>
        <translation>Contacto guardado.</translation>
    </message>
    <message>
        <source>Verify {address}</source>
        <translation>Verificar {address}</translation>
    </message>
    <message>
        <source>By phone</source>
        <translation>Por teléfono</translation>
    </message>
    <message>
        <source>In person</source>
        <translation>En persona</translation>
    </message>
    <message>
        <source>From the EHR</source>
        <translation>Desde la historia clínica electrónica</translation>
    </message>
    <message>
        <source>By a reply</source>
        <translation>Por una respuesta</translation>
    </message>
    <message>
        <source>From a directory import</source>
        <translation>Desde una importación de directorio</translation>
    </message>
    <message>
        <source>How was it confirmed</source>
        <translation>Cómo se confirmó</translation>
    </message>
    <message>
        <source>How did you confirm with the person that {address} is theirs?</source>
        <translation>¿Cómo confirmó con la persona que {address} es suya?</translation>
    </message>
    <message>
        <source>&amp;How</source>
        <translation>&amp;Cómo</translation>
    </message>
    <message>
        <source>Record it</source>
        <translation>Registrarlo</translation>
    </message>
    <message>
        <source>{address} verified.</source>
        <translation>{address} verificada.</translation>
    </message>
    <message>
        <source>{count} contacts merged into one.</source>
        <translation>{count} contactos combinados en uno.</translation>
    </message>
    <message>
        <source>{address}: do not email.</source>
        <translation>{address}: no enviar correo.</translation>
    </message>
    <message>
        <source>{address} may be emailed again.</source>
        <translation>{address} puede recibir correo de nuevo.</translation>
    </message>
    <message>
        <source>The address book could not be read.</source>
        <translation>No se pudo leer la libreta de direcciones.</translation>
    </message>
</context>
<context>
    <name>AddressField</name>
    <message>
        <source>{0} problems</source>
        <translation>Problemas de {0}</translation>
    </message>
</context>
<context>
    <name>AttachmentPanel</name>
    <message>
        <source>Attachments</source>
        <translation>Adjuntos</translation>
    </message>
    <message>
        <source>Attach files…</source>
        <translation>Adjuntar archivos…</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Adjuntar archivos</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <source>Remove attachment</source>
        <translation>Quitar adjunto</translation>
    </message>
    <message>
        <source>Attachment budget</source>
        <translation>Límite de adjuntos</translation>
    </message>
    <message>
        <source>Attachment problem</source>
        <translation>Problema con los adjuntos</translation>
    </message>
    <message>
        <source>{0}  ({1} encoded)</source>
        <translation>{0}  ({1} codificado)</translation>
    </message>
    <message>
        <source>{0} of {1} (encoded)</source>
        <translation>{0} de {1} (codificado)</translation>
    </message>
</context>
<context>
    <name>AuditDialog</name>
    <message>
        <source>{0} — audit trail</source>
        <translation>{0} — registro de auditoría</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>Registro de auditoría</translation>
    </message>
    <message>
        <source>Checking the audit trail…</source>
        <translation>Comprobando el registro de auditoría…</translation>
    </message>
    <message>
        <source>Audit entries</source>
        <translation>Entradas de auditoría</translation>
    </message>
    <message>
        <source>Include recipient addresses (PHI)</source>
        <translation>Incluir las direcciones de los destinatarios (PHI)</translation>
    </message>
    <message>
        <source>Managed by your organisation (NoContentExport)</source>
        <translation>Administrado por su organización (NoContentExport)</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>&amp;Exportar…</translation>
    </message>
    <message>
        <source>Export the audit trail</source>
        <translation>Exportar el registro de auditoría</translation>
    </message>
    <message>
        <source>From</source>
        <translation>De</translation>
    </message>
    <message>
        <source>to</source>
        <translation>a</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Exportando…</translation>
    </message>
    <message>
        <source>The audit trail could not be read: {0}</source>
        <translation>No se pudo leer el registro de auditoría: {0}</translation>
    </message>
    <message>
        <source>{0}. The trail is intact: no entry was changed or removed.{1}</source>
        <translation>{0}. El registro está intacto: ninguna entrada se modificó ni se eliminó.{1}</translation>
    </message>
    <message>
        <source>Entry {0} was changed or removed after it was written. Keep this profile as it is and tell your security officer.</source>
        <translation>La entrada {0} se modificó o eliminó después de escribirse. Deje este perfil tal como está e informe a su responsable de seguridad.</translation>
    </message>
</context>
<context>
    <name>BounceNotice</name>
    <message>
        <source>Delivery problem</source>
        <translation>Problema de entrega</translation>
    </message>
    <message>
        <source>&amp;Open message</source>
        <translation>A&amp;brir mensaje</translation>
    </message>
    <message>
        <source>Open message (the undelivered one)</source>
        <translation>Abrir mensaje (el no entregado)</translation>
    </message>
    <message>
        <source>Dis&amp;miss</source>
        <translation>&amp;Descartar</translation>
    </message>
    <message>
        <source>Dismiss the delivery problem notice</source>
        <translation>Descartar el aviso de problema de entrega</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>(sin asunto)</translation>
    </message>
    <message>
        <source>⚠ Not delivered: “{subject}” to {recipient} ({status}).</source>
        <translation>⚠ No entregado: «{subject}» a {recipient} ({status}).</translation>
    </message>
    <message>
        <source>{count} more not yet seen: see Status.</source>
        <translation>{count} más aún sin ver: consulte Estado.</translation>
    </message>
</context>
<context>
    <name>ComposeFeature</name>
    <message>
        <source>Sealpost hit an internal error; the message was not queued. See the log.</source>
        <translation>Sealpost tuvo un error interno; el mensaje no se puso en cola. Consulte el registro.</translation>
    </message>
    <message>
        <source>Sealpost is still starting; finish or clear this message first.</source>
        <translation>Sealpost todavía se está iniciando; termine o borre primero este mensaje.</translation>
    </message>
    <message>
        <source>The message you were writing was kept in Drafts (Ctrl+4).</source>
        <translation>El mensaje que estaba escribiendo se guardó en Borradores (Ctrl+4).</translation>
    </message>
    <message>
        <source>Templates can be loaded once Sealpost has connected.</source>
        <translation>Las plantillas se pueden cargar cuando Sealpost se haya conectado.</translation>
    </message>
    <message>
        <source>Loading templates…</source>
        <translation>Cargando plantillas…</translation>
    </message>
    <message>
        <source>Templates could not be loaded: {0}</source>
        <translation>No se pudieron cargar las plantillas: {0}</translation>
    </message>
    <message>
        <source>The template could not be loaded: {0}</source>
        <translation>No se pudo cargar la plantilla: {0}</translation>
    </message>
</context>
<context>
    <name>ComposerOptions</name>
    <message>
        <source>Custom X- headers</source>
        <translation>Encabezados X- personalizados</translation>
    </message>
    <message>
        <source>X-Clinic-Ref: 1234   (one per line)</source>
        <translation>X-Clinic-Ref: 1234   (uno por línea)</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>Etiqueta</translation>
    </message>
    <message>
        <source>optional, e.g. lab-results (for filtering history)</source>
        <translation>opcional, p. ej., resultados-laboratorio (para filtrar el historial)</translation>
    </message>
    <message>
        <source>Force secure notification (recipient picks the message up in a portal)</source>
        <translation>Forzar notificación segura (el destinatario recoge el mensaje en un portal)</translation>
    </message>
    <message>
        <source>Allow delivery without TLS</source>
        <translation>Permitir la entrega sin TLS</translation>
    </message>
    <message>
        <source>Your organisation&apos;s policy does not allow delivery without TLS.</source>
        <translation>La directiva de su organización no permite la entrega sin TLS.</translation>
    </message>
    <message>
        <source>List-Unsubscribe</source>
        <translation>List-Unsubscribe</translation>
    </message>
    <message>
        <source>Unsubscribe addresses for the List-Unsubscribe header, in angle brackets, comma-separated: mailto: or https:// only</source>
        <translation>Direcciones de baja para el encabezado List-Unsubscribe, entre corchetes angulares y separadas por comas: solo mailto: o https://</translation>
    </message>
    <message>
        <source>&lt;mailto:unsubscribe@clinic.example&gt;, &lt;https://clinic.example/unsubscribe&gt;</source>
        <translation>&lt;mailto:baja@clinica.example&gt;, &lt;https://clinica.example/baja&gt;</translation>
    </message>
    <message>
        <source>One-click unsubscribe</source>
        <translation>Cancelación de suscripción con un clic</translation>
    </message>
    <message>
        <source>Adds List-Unsubscribe-Post: List-Unsubscribe=One-Click (needs an https:// address).</source>
        <translation>Agrega List-Unsubscribe-Post: List-Unsubscribe=One-Click (requiere una dirección https://).</translation>
    </message>
    <message>
        <source>Paubox unsubscribe URL</source>
        <translation>URL de cancelación de suscripción de Paubox</translation>
    </message>
    <message>
        <source>optional https:// address for Paubox&apos;s unsubscribe_url</source>
        <translation>dirección https:// opcional para unsubscribe_url de Paubox</translation>
    </message>
    <message>
        <source>Unsubscribe problem</source>
        <translation>Problema con la cancelación de suscripción</translation>
    </message>
    <message>
        <source>Ta&amp;g</source>
        <translation>Eti&amp;queta</translation>
    </message>
    <message>
        <source>&amp;X- headers</source>
        <translation>Encabezados &amp;X-</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>Entrega</translation>
    </message>
    <message>
        <source>Tracking</source>
        <translation>Seguimiento</translation>
    </message>
    <message>
        <source>&amp;Unsubscribe</source>
        <translation>Cancelar s&amp;uscripción</translation>
    </message>
    <message>
        <source>Paubox u&amp;nsubscribe URL</source>
        <translation>URL de ca&amp;ncelación de Paubox</translation>
    </message>
    <message>
        <source>&amp;Opens</source>
        <translation>Aperturas</translation>
    </message>
    <message>
        <source>&amp;Link clicks</source>
        <translation>Clics en en&amp;laces</translation>
    </message>
</context>
<context>
    <name>ComposerView</name>
    <message>
        <source>Subject</source>
        <translation>Asunto</translation>
    </message>
    <message>
        <source>Subject (required; avoid patient names)</source>
        <translation>Asunto (obligatorio; evite nombres de pacientes)</translation>
    </message>
    <message>
        <source>Sender</source>
        <translation>Remitente</translation>
    </message>
    <message>
        <source>Cc, Bcc, reply-to…</source>
        <translation>CC, CCO, responder a…</translation>
    </message>
    <message>
        <source>Cc, Bcc, reply-to: show the fields</source>
        <translation>CC, CCO, responder a: mostrar los campos</translation>
    </message>
    <message>
        <source>Message body</source>
        <translation>Cuerpo del mensaje</translation>
    </message>
    <message>
        <source>Write your message…</source>
        <translation>Escriba su mensaje…</translation>
    </message>
    <message>
        <source>Plain-text part</source>
        <translation>Parte de texto sin formato</translation>
    </message>
    <message>
        <source>Regenerate from message</source>
        <translation>Regenerar a partir del mensaje</translation>
    </message>
    <message>
        <source>Regenerate plain text</source>
        <translation>Regenerar el texto sin formato</translation>
    </message>
    <message>
        <source>Message preview</source>
        <translation>Vista previa del mensaje</translation>
    </message>
    <message>
        <source>Message body views</source>
        <translation>Vistas del cuerpo del mensaje</translation>
    </message>
    <message>
        <source>&amp;Write</source>
        <translation>&amp;Escribir</translation>
    </message>
    <message>
        <source>Pla&amp;in text</source>
        <translation>&amp;Texto sin formato</translation>
    </message>
    <message>
        <source>&amp;Preview</source>
        <translation>V&amp;ista previa</translation>
    </message>
    <message>
        <source>Your organisation&apos;s policy does not allow delivery without TLS.</source>
        <translation>La directiva de su organización no permite la entrega sin TLS.</translation>
    </message>
    <message>
        <source>Options…</source>
        <translation>Opciones…</translation>
    </message>
    <message>
        <source>Show delivery options</source>
        <translation>Mostrar opciones de entrega</translation>
    </message>
    <message>
        <source>Composer status</source>
        <translation>Estado del redactor</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>Discard message</source>
        <translation>Descartar mensaje</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>Enviar mensaje</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation>Enviar (Ctrl+Intro)</translation>
    </message>
    <message>
        <source>From</source>
        <translation>De</translation>
    </message>
    <message>
        <source>&amp;To</source>
        <translation>&amp;Para</translation>
    </message>
    <message>
        <source>&amp;Cc</source>
        <translation>&amp;CC</translation>
    </message>
    <message>
        <source>&amp;Bcc</source>
        <translation>CC&amp;O</translation>
    </message>
    <message>
        <source>&amp;Reply-to</source>
        <translation>&amp;Responder a</translation>
    </message>
    <message>
        <source>&amp;Subject</source>
        <translation>A&amp;sunto</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>Adjuntos</translation>
    </message>
    <message>
        <source>Correct the highlighted address before sending.</source>
        <translation>Corrija la dirección resaltada antes de enviar.</translation>
    </message>
    <message>
        <source>Add at least one recipient.</source>
        <translation>Agregue al menos un destinatario.</translation>
    </message>
    <message>
        <source>Correct the custom headers before sending.</source>
        <translation>Corrija los encabezados personalizados antes de enviar.</translation>
    </message>
    <message>
        <source>Correct the unsubscribe options before sending.</source>
        <translation>Corrija las opciones de cancelación de suscripción antes de enviar.</translation>
    </message>
    <message>
        <source>Add a subject: Paubox refuses messages without one.</source>
        <translation>Agregue un asunto: Paubox rechaza los mensajes sin asunto.</translation>
    </message>
    <message>
        <source>The message is empty: write something before sending.</source>
        <translation>El mensaje está vacío: escriba algo antes de enviar.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Comprobando…</translation>
    </message>
    <message>
        <source>Allowed by your organisation&apos;s policy (AllowNonTLS).</source>
        <translation>Permitido por la directiva de su organización (AllowNonTLS).</translation>
    </message>
</context>
<context>
    <name>ContactDialog</name>
    <message>
        <source>Edit contact</source>
        <translation>Editar contacto</translation>
    </message>
    <message>
        <source>New contact</source>
        <translation>Nuevo contacto</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Nombre</translation>
    </message>
    <message>
        <source>&amp;Addresses (one a line)</source>
        <translation>&amp;Direcciones (una por línea)</translation>
    </message>
    <message>
        <source>&amp;Organisation</source>
        <translation>&amp;Organización</translation>
    </message>
    <message>
        <source>No&amp;te</source>
        <translation>No&amp;ta</translation>
    </message>
</context>
<context>
    <name>ContactsFeature</name>
    <message>
        <source>Check this recipient</source>
        <translation>Compruebe este destinatario</translation>
    </message>
    <message>
        <source>Did you mean {suggestion}?</source>
        <translation>¿Quiso decir {suggestion}?</translation>
    </message>
    <message>
        <source>Is {typed} the right address?</source>
        <translation>¿Es {typed} la dirección correcta?</translation>
    </message>
    <message>
        <source>Use {suggestion}</source>
        <translation>Usar {suggestion}</translation>
    </message>
    <message>
        <source>Send to what I typed…</source>
        <translation>Enviar a lo que escribí…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Why send to {typed}?</source>
        <translation>¿Por qué enviar a {typed}?</translation>
    </message>
    <message>
        <source>Not sent. Check the recipient, then send again.</source>
        <translation>No se envió. Compruebe el destinatario y vuelva a enviar.</translation>
    </message>
    <message>
        <source>Patient information in the subject?</source>
        <translation>¿Datos del paciente en el asunto?</translation>
    </message>
    <message>
        <source>Rule “{rule}” matched “{text}”.</source>
        <translation>La regla «{rule}» encontró «{text}».</translation>
    </message>
    <message>
        <source>Edit the subject</source>
        <translation>Editar el asunto</translation>
    </message>
    <message>
        <source>Send with a secure notification</source>
        <translation>Enviar con una notificación segura</translation>
    </message>
    <message>
        <source>Send anyway…</source>
        <translation>Enviar de todos modos…</translation>
    </message>
    <message>
        <source>Why send it with “{text}” in it?</source>
        <translation>¿Por qué enviarlo con «{text}»?</translation>
    </message>
    <message>
        <source>A reason for the audit log</source>
        <translation>Un motivo para el registro de auditoría</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Not sent: sending anyway needs a reason.</source>
        <translation>No se envió: enviar de todos modos necesita un motivo.</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>{0} hit a bug</source>
        <translation>{0} encontró un error</translation>
    </message>
    <message>
        <source>Something went wrong inside Sealpost. Your messages are safe in the outbox. Copy the report below and send it to your IT team; it contains no message content, addresses or keys.</source>
        <translation>Algo falló dentro de Sealpost. Sus mensajes están a salvo en la bandeja de salida. Copie el informe de abajo y envíelo a su equipo de TI; no contiene contenido de mensajes, direcciones ni claves.</translation>
    </message>
    <message>
        <source>Crash report</source>
        <translation>Informe de error</translation>
    </message>
    <message>
        <source>Copy report</source>
        <translation>Copiar informe</translation>
    </message>
</context>
<context>
    <name>DraftsView</name>
    <message>
        <source>Drafts: messages you started and have not sent</source>
        <translation>Borradores: mensajes que empezó y no ha enviado</translation>
    </message>
    <message>
        <source>Last edited</source>
        <translation>Última edición</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Para</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Asunto</translation>
    </message>
    <message>
        <source>Drafts</source>
        <translation>Borradores</translation>
    </message>
    <message>
        <source>No drafts. What you write is kept here until you send or discard it.</source>
        <translation>No hay borradores. Lo que escribe se guarda aquí hasta que lo envíe o lo descarte.</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>A&amp;brir</translation>
    </message>
    <message>
        <source>Open draft</source>
        <translation>Abrir borrador</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Eliminar…</translation>
    </message>
    <message>
        <source>Delete draft</source>
        <translation>Eliminar borrador</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>(sin asunto)</translation>
    </message>
    <message>
        <source>Delete this draft?</source>
        <translation>¿Eliminar este borrador?</translation>
    </message>
    <message>
        <source>“{subject}” will be deleted for good. It was never sent.</source>
        <translation>«{subject}» se eliminará definitivamente. Nunca se envió.</translation>
    </message>
</context>
<context>
    <name>Everyday</name>
    <message>
        <source>✓ All waiting messages have been sent.</source>
        <translation>✓ Se enviaron todos los mensajes en espera.</translation>
    </message>
    <message>
        <source>{count} kept</source>
        <translation>{count} conservados</translation>
    </message>
    <message>
        <source>Draft opened. It is saved as you type.</source>
        <translation>Borrador abierto. Se guarda mientras escribe.</translation>
    </message>
    <message>
        <source>Resend a delivered message?</source>
        <translation>¿Reenviar un mensaje entregado?</translation>
    </message>
    <message>
        <source>Paubox reported this message delivered to {names}. Sending it again delivers a second copy.

It opens as a new message: check it, then send.</source>
        <translation>Paubox informó que este mensaje se entregó a {names}. Si lo envía de nuevo, se entrega una segunda copia.

Se abre como mensaje nuevo: revíselo y luego envíelo.</translation>
    </message>
    <message>
        <source>Resend as new</source>
        <translation>Volver a enviar como nuevo</translation>
    </message>
    <message>
        <source>Sealpost is still starting; try again in a moment.</source>
        <translation>Sealpost todavía se está iniciando; inténtelo de nuevo en un momento.</translation>
    </message>
    <message>
        <source>Type the corrected address over the selected one, then send.</source>
        <translation>Escriba la dirección corregida sobre la seleccionada y luego envíe.</translation>
    </message>
    <message>
        <source>A new message: check it, then send.</source>
        <translation>Un mensaje nuevo: revíselo y luego envíelo.</translation>
    </message>
    <message>
        <source>Quit and delete this session?</source>
        <translation>¿Salir y eliminar esta sesión?</translation>
    </message>
    <message>
        <source>No system keyring was found, so everything in this session (messages, drafts and history) is deleted when Sealpost closes.</source>
        <translation>No se encontró un llavero del sistema, así que todo lo de esta sesión (mensajes, borradores e historial) se elimina al cerrar Sealpost.</translation>
    </message>
    <message>
        <source>Quit and delete</source>
        <translation>Salir y eliminar</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <source>Ctrl+N</source>
        <translation>Ctrl+N</translation>
    </message>
    <message>
        <source>New message</source>
        <translation>Mensaje nuevo</translation>
    </message>
    <message>
        <source>Ctrl+Enter</source>
        <translation>Ctrl+Intro</translation>
    </message>
    <message>
        <source>Send the message in the composer</source>
        <translation>Enviar el mensaje del redactor</translation>
    </message>
    <message>
        <source>Ctrl+F</source>
        <translation>Ctrl+F</translation>
    </message>
    <message>
        <source>Search the history</source>
        <translation>Buscar en el historial</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>Show or hide the log panel</source>
        <translation>Mostrar u ocultar el panel de registro</translation>
    </message>
    <message>
        <source>Ctrl+1 / Ctrl+2 / Ctrl+3 / Ctrl+4</source>
        <translation>Ctrl+1 / Ctrl+2 / Ctrl+3 / Ctrl+4</translation>
    </message>
    <message>
        <source>Go to Compose, Outbox, Status, Drafts</source>
        <translation>Ir a Redactar, Bandeja de salida, Estado, Borradores</translation>
    </message>
    <message>
        <source>Enter (in Status or the Outbox)</source>
        <translation>Intro (en Estado o en la Bandeja de salida)</translation>
    </message>
    <message>
        <source>Open the selected message</source>
        <translation>Abrir el mensaje seleccionado</translation>
    </message>
    <message>
        <source>Delete (in Drafts)</source>
        <translation>Supr (en Borradores)</translation>
    </message>
    <message>
        <source>Delete the selected draft (asks first)</source>
        <translation>Eliminar el borrador seleccionado (pregunta antes)</translation>
    </message>
    <message>
        <source>Ctrl+B / Ctrl+I / Ctrl+K</source>
        <translation>Ctrl+B / Ctrl+I / Ctrl+K</translation>
    </message>
    <message>
        <source>Bold, italic, insert link (in the message body)</source>
        <translation>Negrita, cursiva, insertar enlace (en el cuerpo del mensaje)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+L</source>
        <translation>Ctrl+Mayús+L</translation>
    </message>
    <message>
        <source>Lock Sealpost now</source>
        <translation>Bloquear Sealpost ahora</translation>
    </message>
    <message>
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <source>This list</source>
        <translation>Esta lista</translation>
    </message>
    <message>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <source>{0} — keyboard shortcuts</source>
        <translation>{0} — atajos de teclado</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Atajos de teclado</translation>
    </message>
    <message>
        <source>Shortcut list</source>
        <translation>Lista de atajos</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Teclas</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Acción</translation>
    </message>
    <message>
        <source>{0} {1}. Every keyboard shortcut, and what it does:</source>
        <translation>{0} {1}. Todos los atajos de teclado y lo que hacen:</translation>
    </message>
</context>
<context>
    <name>LockFeature</name>
    <message>
        <source>Set a passphrase first (Settings → Privacy) so you can unlock again.</source>
        <translation>Primero establezca una frase de contraseña (Configuración → Privacidad) para poder desbloquear.</translation>
    </message>
    <message>
        <source>{0} is locked. Type your passphrase to continue.</source>
        <translation>{0} está bloqueado. Escriba su frase de contraseña para continuar.</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Locked</source>
        <translation>Bloqueado</translation>
    </message>
    <message>
        <source>{0} is locked</source>
        <translation>{0} está bloqueado</translation>
    </message>
    <message>
        <source>Messages are hidden. Type your passphrase to continue; sending carries on meanwhile.</source>
        <translation>Los mensajes están ocultos. Escriba su frase de contraseña para continuar; mientras tanto, el envío continúa.</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Frase de contraseña</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Desbloquear</translation>
    </message>
    <message>
        <source>Unlock result</source>
        <translation>Resultado del desbloqueo</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Comprobando…</translation>
    </message>
    <message>
        <source>That passphrase is not right. Try again.</source>
        <translation>Esa frase de contraseña no es correcta. Inténtelo de nuevo.</translation>
    </message>
</context>
<context>
    <name>LogPanel</name>
    <message>
        <source>Any status</source>
        <translation>Cualquier estado</translation>
    </message>
    <message>
        <source>No response</source>
        <translation>Sin respuesta</translation>
    </message>
    <message>
        <source>Log panel</source>
        <translation>Panel de registro</translation>
    </message>
    <message>
        <source>Log entries</source>
        <translation>Entradas del registro</translation>
    </message>
    <message>
        <source>Minimum level</source>
        <translation>Nivel mínimo</translation>
    </message>
    <message>
        <source>All levels</source>
        <translation>Todos los niveles</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Punto de acceso</translation>
    </message>
    <message>
        <source>All endpoints</source>
        <translation>Todos los puntos de acceso</translation>
    </message>
    <message>
        <source>HTTP status</source>
        <translation>Estado HTTP</translation>
    </message>
    <message>
        <source>Search log</source>
        <translation>Buscar en el registro</translation>
    </message>
    <message>
        <source>Search the log</source>
        <translation>Buscar en el registro</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <source>Pause live tail</source>
        <translation>Pausar el seguimiento en vivo</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportar…</translation>
    </message>
    <message>
        <source>Export log</source>
        <translation>Exportar registro</translation>
    </message>
    <message>
        <source>No requests yet.</source>
        <translation>Todavía no hay solicitudes.</translation>
    </message>
    <message>
        <source>Log summary</source>
        <translation>Resumen del registro</translation>
    </message>
    <message>
        <source>Request latency and error rate (last 5 min)</source>
        <translation>Latencia de las solicitudes y tasa de errores (últimos 5 min)</translation>
    </message>
    <message>
        <source>Paused — {0} new entries waiting. Press Resume to see them.</source>
        <translation>En pausa — {0} entradas nuevas en espera. Pulse Reanudar para verlas.</translation>
    </message>
    <message>
        <source>Last {0} requests — latency p50 {1:.0f} ms, p95 {2:.0f} ms, errors {3:.0%}</source>
        <translation>Últimas {0} solicitudes — latencia p50 {1:.0f} ms, p95 {2:.0f} ms, errores {3:.0%}</translation>
    </message>
    <message>
        <source>Exported {count} entries to {path}.</source>
        <translation>Se exportaron {count} entradas a {path}.</translation>
    </message>
    <message>
        <source>Log exported</source>
        <translation>Registro exportado</translation>
    </message>
    <message>
        <source>{count} entries were written to {path}.</source>
        <translation>Se escribieron {count} entradas en {path}.</translation>
    </message>
    <message>
        <source>Could not export the log: {0}</source>
        <translation>No se pudo exportar el registro: {0}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>● Online</source>
        <translation>● En línea</translation>
    </message>
    <message>
        <source>○ Offline — messages wait in the Outbox</source>
        <translation>○ Sin conexión — los mensajes esperan en la Bandeja de salida</translation>
    </message>
    <message>
        <source>◐ Rate-limited</source>
        <translation>◐ Limitado por frecuencia</translation>
    </message>
    <message>
        <source>⚠ API key needed — open Settings</source>
        <translation>⚠ Se necesita la clave de API — abra Configuración</translation>
    </message>
    <message>
        <source>‖ Sending paused</source>
        <translation>‖ Envío en pausa</translation>
    </message>
    <message>
        <source>⇄ Sending through another Sealpost process</source>
        <translation>⇄ Enviando a través de otro proceso de Sealpost</translation>
    </message>
    <message>
        <source>SANDBOX MODE — messages go to Sealpost&apos;s built-in test server, not to Paubox. Nothing is delivered to real recipients.</source>
        <translation>MODO DE PRUEBAS — los mensajes van al servidor de prueba integrado de Sealpost, no a Paubox. No se entrega nada a destinatarios reales.</translation>
    </message>
    <message>
        <source>{0} — secure email</source>
        <translation>{0} — correo seguro</translation>
    </message>
    <message>
        <source>Mode banner</source>
        <translation>Aviso de modo</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problema</translation>
    </message>
    <message>
        <source>Set an app passphrase so Sealpost can hide messages when you step away.</source>
        <translation>Establezca una frase de contraseña para que Sealpost oculte los mensajes cuando se ausente.</translation>
    </message>
    <message>
        <source>Set passphrase…</source>
        <translation>Establecer frase de contraseña…</translation>
    </message>
    <message>
        <source>Set passphrase</source>
        <translation>Establecer frase de contraseña</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>Vistas</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <source>Compose</source>
        <translation>Redactar</translation>
    </message>
    <message>
        <source>&amp;Compose</source>
        <translation>&amp;Redactar</translation>
    </message>
    <message>
        <source>Outbox</source>
        <translation>Bandeja de salida</translation>
    </message>
    <message>
        <source>&amp;Outbox</source>
        <translation>Bandeja de &amp;salida</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>&amp;Status and history</source>
        <translation>&amp;Estado e historial</translation>
    </message>
    <message>
        <source>Drafts</source>
        <translation>Borradores</translation>
    </message>
    <message>
        <source>&amp;Drafts</source>
        <translation>&amp;Borradores</translation>
    </message>
    <message>
        <source>Address book</source>
        <translation>Libreta de direcciones</translation>
    </message>
    <message>
        <source>&amp;Address book</source>
        <translation>&amp;Libreta de direcciones</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Iniciando…</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <source>Profile: {0}</source>
        <translation>Perfil: {0}</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>Estado de la conexión</translation>
    </message>
    <message>
        <source>Active profile</source>
        <translation>Perfil activo</translation>
    </message>
    <message>
        <source>Queue counts</source>
        <translation>Recuento de la cola</translation>
    </message>
    <message>
        <source>&amp;New message</source>
        <translation>&amp;Nuevo mensaje</translation>
    </message>
    <message>
        <source>Sen&amp;d</source>
        <translation>En&amp;viar</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Configuración…</translation>
    </message>
    <message>
        <source>&amp;Lock now</source>
        <translation>&amp;Bloquear ahora</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>Search &amp;history</source>
        <translation>Buscar en el &amp;historial</translation>
    </message>
    <message>
        <source>&amp;Log panel</source>
        <translation>Panel de re&amp;gistro</translation>
    </message>
    <message>
        <source>&amp;Audit trail…</source>
        <translation>Registro de &amp;auditoría…</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Atajos de teclado</translation>
    </message>
    <message>
        <source>&amp;Policies…</source>
        <translation>&amp;Directivas…</translation>
    </message>
    <message>
        <source>Your organisation requires an app passphrase (PassphraseRequired): set one now.</source>
        <translation>Su organización exige una frase de contraseña de la aplicación (PassphraseRequired): establézcala ahora.</translation>
    </message>
</context>
<context>
    <name>MessageView</name>
    <message>
        <source>Sent message</source>
        <translation>Mensaje enviado</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Asunto</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>Para:</translation>
    </message>
    <message>
        <source>Recipients</source>
        <translation>Destinatarios</translation>
    </message>
    <message>
        <source>Sent:</source>
        <translation>Enviado:</translation>
    </message>
    <message>
        <source>Sent at</source>
        <translation>Enviado el</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>Estado:</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Tracking id</source>
        <translation>Id. de seguimiento</translation>
    </message>
    <message>
        <source>&amp;Tracking id:</source>
        <translation>Id. de &amp;seguimiento:</translation>
    </message>
    <message>
        <source>Message body</source>
        <translation>Cuerpo del mensaje</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>Adjuntos</translation>
    </message>
    <message>
        <source>&amp;Save a copy…</source>
        <translation>&amp;Guardar una copia…</translation>
    </message>
    <message>
        <source>Save a copy of the attachment</source>
        <translation>Guardar una copia del adjunto</translation>
    </message>
    <message>
        <source>Recipients and delivery</source>
        <translation>Destinatarios y entrega</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Cronología</translation>
    </message>
    <message>
        <source>Attachment note</source>
        <translation>Nota sobre los adjuntos</translation>
    </message>
    <message>
        <source>Recipients, timeline and attachments</source>
        <translation>Destinatarios, cronología y adjuntos</translation>
    </message>
    <message>
        <source>&amp;Recipients</source>
        <translation>&amp;Destinatarios</translation>
    </message>
    <message>
        <source>T&amp;imeline</source>
        <translation>Cr&amp;onología</translation>
    </message>
    <message>
        <source>&amp;Attachments</source>
        <translation>&amp;Adjuntos</translation>
    </message>
    <message>
        <source>R&amp;esend as new…</source>
        <translation>Volver a enviar como &amp;nuevo…</translation>
    </message>
    <message>
        <source>Resend as new message</source>
        <translation>Volver a enviar como nuevo mensaje</translation>
    </message>
    <message>
        <source>Forward as new message</source>
        <translation>Reenviar como nuevo mensaje</translation>
    </message>
    <message>
        <source>&amp;Forward as new</source>
        <translation>Reen&amp;viar como nuevo</translation>
    </message>
    <message>
        <source>&amp;Correct the address and resend</source>
        <translation>&amp;Corregir la dirección y reenviar</translation>
    </message>
    <message>
        <source>Correct the address and resend</source>
        <translation>Corregir la dirección y reenviar</translation>
    </message>
    <message>
        <source>Cop&amp;y tracking id</source>
        <translation>Copiar id. de seguimien&amp;to</translation>
    </message>
    <message>
        <source>Copy tracking id</source>
        <translation>Copiar id. de seguimiento</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Cargando…</translation>
    </message>
    <message>
        <source>Sent message — {subject}</source>
        <translation>Mensaje enviado — {subject}</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>(sin asunto)</translation>
    </message>
    <message>
        <source>No delivery report from Paubox yet.</source>
        <translation>Todavía no hay informe de entrega de Paubox.</translation>
    </message>
    <message>
        <source>&amp;Attachments ({count})</source>
        <translation>&amp;Adjuntos ({count})</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Copiado</translation>
    </message>
    <message>
        <source>Save a copy</source>
        <translation>Guardar una copia</translation>
    </message>
    <message>
        <source>Saved to {path}.</source>
        <translation>Guardado en {path}.</translation>
    </message>
</context>
<context>
    <name>OutboxFeature</name>
    <message>
        <source>Resend anyway</source>
        <translation>Reenviar de todos modos</translation>
    </message>
    <message>
        <source>Mark as sent</source>
        <translation>Marcar como enviado</translation>
    </message>
    <message>
        <source>Resend all {0}</source>
        <translation>Reenviar los {0}</translation>
    </message>
    <message>
        <source>Mark all {0} as sent</source>
        <translation>Marcar los {0} como enviados</translation>
    </message>
    <message>
        <source>{0} waiting · {1} sent</source>
        <translation>{0} en espera · {1} enviados</translation>
    </message>
    <message>
        <source> · {0} need attention</source>
        <translation> · {0} requieren atención</translation>
    </message>
    <message>
        <source>The Outbox is empty: every waiting message has gone to Paubox.</source>
        <translation>La Bandeja de salida está vacía: todos los mensajes en espera se enviaron a Paubox.</translation>
    </message>
</context>
<context>
    <name>OutboxView</name>
    <message>
        <source>Connection notice</source>
        <translation>Aviso de conexión</translation>
    </message>
    <message>
        <source>Send waiting messages now</source>
        <translation>Enviar ahora los mensajes en espera</translation>
    </message>
    <message>
        <source>Sending progress</source>
        <translation>Progreso del envío</translation>
    </message>
    <message>
        <source>What outcome unknown means</source>
        <translation>Qué significa resultado desconocido</translation>
    </message>
    <message>
        <source>The request this message went out in</source>
        <translation>La solicitud en la que salió este mensaje</translation>
    </message>
    <message>
        <source>Outbox messages</source>
        <translation>Mensajes de la bandeja de salida</translation>
    </message>
    <message>
        <source>Nothing waiting. Messages you send appear here until Paubox accepts them.</source>
        <translation>Nada en espera. Los mensajes que envía aparecen aquí hasta que Paubox los acepta.</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>Reintentar ahora</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Editar</translation>
    </message>
    <message>
        <source>Resend…</source>
        <translation>Reenviar…</translation>
    </message>
    <message>
        <source>Mark as sent</source>
        <translation>Marcar como enviado</translation>
    </message>
    <message>
        <source>Cancel message</source>
        <translation>Cancelar mensaje</translation>
    </message>
    <message>
        <source>Resend all {0}…</source>
        <translation>Reenviar los {0}…</translation>
    </message>
    <message>
        <source>Mark all {0} as sent…</source>
        <translation>Marcar los {0} como enviados…</translation>
    </message>
</context>
<context>
    <name>PoliciesDialog</name>
    <message>
        <source>Policies</source>
        <translation>Directivas</translation>
    </message>
    <message>
        <source>Effective policies</source>
        <translation>Directivas vigentes</translation>
    </message>
    <message>
        <source>Policy</source>
        <translation>Directiva</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valor</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Origen</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Archivo</translation>
    </message>
    <message>
        <source>Read from: {0}</source>
        <translation>Leído de: {0}</translation>
    </message>
    <message>
        <source>Policy problems</source>
        <translation>Problemas de directivas</translation>
    </message>
</context>
<context>
    <name>RecordButtons</name>
    <message>
        <source>Print or PDF outcome</source>
        <translation>Resultado de la impresión o del PDF</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>Imprimir…</translation>
    </message>
    <message>
        <source>Print message</source>
        <translation>Imprimir mensaje</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>Guardar como PDF…</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>Guardar como PDF</translation>
    </message>
</context>
<context>
    <name>RichTextToolbar</name>
    <message>
        <source>Paragraph</source>
        <translation>Párrafo</translation>
    </message>
    <message>
        <source>Heading 1</source>
        <translation>Título 1</translation>
    </message>
    <message>
        <source>Heading 2</source>
        <translation>Título 2</translation>
    </message>
    <message>
        <source>Heading 3</source>
        <translation>Título 3</translation>
    </message>
    <message>
        <source>Formatting</source>
        <translation>Formato</translation>
    </message>
    <message>
        <source>Bold</source>
        <translation>Negrita</translation>
    </message>
    <message>
        <source>Italic</source>
        <translation>Cursiva</translation>
    </message>
    <message>
        <source>• List</source>
        <translation>• Lista</translation>
    </message>
    <message>
        <source>1. List</source>
        <translation>Lista 1.</translation>
    </message>
    <message>
        <source>Link…</source>
        <translation>Enlace…</translation>
    </message>
    <message>
        <source>Paragraph style</source>
        <translation>Estilo de párrafo</translation>
    </message>
</context>
<context>
    <name>RuntimeSession</name>
    <message>
        <source>Switching…</source>
        <translation>Cambiando…</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <source>Settings sections</source>
        <translation>Secciones de la configuración</translation>
    </message>
    <message>
        <source>Profiles</source>
        <translation>Perfiles</translation>
    </message>
    <message>
        <source>Allowed by your organisation: {0}</source>
        <translation>Permitido por su organización: {0}</translation>
    </message>
    <message>
        <source>Writing</source>
        <translation>Redacción</translation>
    </message>
    <message>
        <source>Save settings</source>
        <translation>Guardar la configuración</translation>
    </message>
    <message>
        <source>This window talks to a test endpoint with its own key; nothing to store.</source>
        <translation>Esta ventana se comunica con un punto de acceso de prueba con su propia clave; no hay nada que guardar.</translation>
    </message>
    <message>
        <source>New profile name</source>
        <translation>Nombre del nuevo perfil</translation>
    </message>
    <message>
        <source>Name, e.g. Clinic production</source>
        <translation>Nombre, p. ej., Clínica producción</translation>
    </message>
    <message>
        <source>New profile mode</source>
        <translation>Modo del nuevo perfil</translation>
    </message>
    <message>
        <source>Sandbox (test server, nothing delivered)</source>
        <translation>Entorno de pruebas (servidor de prueba, no se entrega nada)</translation>
    </message>
    <message>
        <source>Paubox (real delivery)</source>
        <translation>Paubox (entrega real)</translation>
    </message>
    <message>
        <source>Add profile</source>
        <translation>Agregar perfil</translation>
    </message>
    <message>
        <source>Switch to this profile</source>
        <translation>Cambiar a este perfil</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Quitar…</translation>
    </message>
    <message>
        <source>Remove profile</source>
        <translation>Quitar perfil</translation>
    </message>
    <message>
        <source>&amp;New profile</source>
        <translation>&amp;Nuevo perfil</translation>
    </message>
    <message>
        <source>Each profile has its own settings, API key, outbox and history.</source>
        <translation>Cada perfil tiene su propia configuración, clave de API, bandeja de salida e historial.</translation>
    </message>
    <message>
        <source>Type a name for the new profile first.</source>
        <translation>Primero escriba un nombre para el nuevo perfil.</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>Clave de API</translation>
    </message>
    <message>
        <source>paste a new key; it goes straight to the system keyring</source>
        <translation>pegue una clave nueva; va directamente al llavero del sistema</translation>
    </message>
    <message>
        <source>Store key</source>
        <translation>Guardar clave</translation>
    </message>
    <message>
        <source>Store key in the system keyring</source>
        <translation>Guardar clave en el llavero del sistema</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Probar la conexión</translation>
    </message>
    <message>
        <source>Connection test result</source>
        <translation>Resultado de la prueba de conexión</translation>
    </message>
    <message>
        <source>API &amp;key</source>
        <translation>&amp;Clave de API</translation>
    </message>
    <message>
        <source>https://api.paubox.com/v1/email</source>
        <translation>https://api.paubox.com/v1/email</translation>
    </message>
    <message>
        <source>only for the legacy endpoint</source>
        <translation>solo para el punto de acceso heredado</translation>
    </message>
    <message>
        <source>Paste the key from the Paubox dashboard first.</source>
        <translation>Primero pegue la clave del panel de Paubox.</translation>
    </message>
    <message>
        <source>Key stored in the system keyring. It will not be shown again.</source>
        <translation>Clave guardada en el llavero del sistema. No se volverá a mostrar.</translation>
    </message>
    <message>
        <source>Testing every endpoint and auth style…</source>
        <translation>Probando cada punto de acceso y tipo de autenticación…</translation>
    </message>
    <message>
        <source>New passphrase</source>
        <translation>Nueva frase de contraseña</translation>
    </message>
    <message>
        <source>Repeat passphrase</source>
        <translation>Repetir la frase de contraseña</translation>
    </message>
    <message>
        <source>Set passphrase</source>
        <translation>Establecer frase de contraseña</translation>
    </message>
    <message>
        <source>A passphrase is set.</source>
        <translation>Hay una frase de contraseña establecida.</translation>
    </message>
    <message>
        <source>No passphrase yet: Sealpost cannot lock itself.</source>
        <translation>Todavía no hay frase de contraseña: Sealpost no puede bloquearse.</translation>
    </message>
    <message>
        <source>New &amp;passphrase</source>
        <translation>Nueva &amp;frase de contraseña</translation>
    </message>
    <message>
        <source>Repea&amp;t</source>
        <translation>Repe&amp;tir</translation>
    </message>
    <message>
        <source>The two passphrases differ; type them again.</source>
        <translation>Las dos frases de contraseña no coinciden; escríbalas de nuevo.</translation>
    </message>
</context>
<context>
    <name>SettingsFeature</name>
    <message>
        <source>Settings not saved: {0}</source>
        <translation>No se guardó la configuración: {0}</translation>
    </message>
    <message>
        <source>Sealpost is still starting.</source>
        <translation>Sealpost todavía se está iniciando.</translation>
    </message>
</context>
<context>
    <name>Spelling</name>
    <message>
        <source>No suggestions</source>
        <translation>Sin sugerencias</translation>
    </message>
    <message>
        <source>Add “{word}” to dictionary</source>
        <translation>Agregar «{word}» al diccionario</translation>
    </message>
    <message>
        <source>Ignore “{word}”</source>
        <translation>Ignorar «{word}»</translation>
    </message>
</context>
<context>
    <name>StatusFeature</name>
    <message>
        <source>{0}: delivery problem</source>
        <translation>{0}: problema de entrega</translation>
    </message>
</context>
<context>
    <name>StatusView</name>
    <message>
        <source>Any time</source>
        <translation>Cualquier fecha</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hoy</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Últimos 7 días</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Últimos 30 días</translation>
    </message>
    <message>
        <source>Between…</source>
        <translation>Entre…</translation>
    </message>
    <message>
        <source>Search subject, body and recipients (Ctrl+F)</source>
        <translation>Buscar en asunto, cuerpo y destinatarios (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search history</source>
        <translation>Buscar en el historial</translation>
    </message>
    <message>
        <source>Delivery status filter</source>
        <translation>Filtro de estado de entrega</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>Cualquier estado</translation>
    </message>
    <message>
        <source>Recipient filter</source>
        <translation>Filtro de destinatario</translation>
    </message>
    <message>
        <source>Recipient</source>
        <translation>Destinatario</translation>
    </message>
    <message>
        <source>Tag filter</source>
        <translation>Filtro de etiqueta</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>Etiqueta</translation>
    </message>
    <message>
        <source>Date range</source>
        <translation>Rango de fechas</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>Fecha desde</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>Fecha hasta</translation>
    </message>
    <message>
        <source>Result count</source>
        <translation>Número de resultados</translation>
    </message>
    <message>
        <source>Sent messages</source>
        <translation>Mensajes enviados</translation>
    </message>
    <message>
        <source>Message details</source>
        <translation>Detalles del mensaje</translation>
    </message>
    <message>
        <source>Select a message to see each recipient&apos;s status and its timeline.</source>
        <translation>Seleccione un mensaje para ver el estado de cada destinatario y su cronología.</translation>
    </message>
    <message>
        <source>Tracking id</source>
        <translation>Id. de seguimiento</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <source>Copy tracking id</source>
        <translation>Copiar id. de seguimiento</translation>
    </message>
    <message>
        <source>Last {0} days</source>
        <translation>Últimos {0} días</translation>
    </message>
    <message>
        <source>{0:,}{1} message{2}</source>
        <translation>{0:,}{1} mensaje{2}</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Copiado</translation>
    </message>
</context>
<context>
    <name>TemplatePanel</name>
    <message>
        <source>No template — write the message</source>
        <translation>Sin plantilla — escriba el mensaje</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Plantilla</translation>
    </message>
    <message>
        <source>Load templates</source>
        <translation>Cargar plantillas</translation>
    </message>
    <message>
        <source>Load templates from Paubox</source>
        <translation>Cargar plantillas de Paubox</translation>
    </message>
    <message>
        <source>Template status</source>
        <translation>Estado de la plantilla</translation>
    </message>
    <message>
        <source>Reload templates</source>
        <translation>Volver a cargar plantillas</translation>
    </message>
    <message>
        <source>The template “{0}” is no longer in your Paubox account.</source>
        <translation>La plantilla «{0}» ya no está en su cuenta de Paubox.</translation>
    </message>
    <message>
        <source>Loading the template…</source>
        <translation>Cargando la plantilla…</translation>
    </message>
    <message>
        <source>Template value {0}</source>
        <translation>Valor de plantilla {0}</translation>
    </message>
</context>
<context>
    <name>TrackingChoice</name>
    <message>
        <source>Account default</source>
        <translation>Predeterminado de la cuenta</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Activado</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Desactivado</translation>
    </message>
    <message>
        <source>{0}: account default sends nothing, so the Paubox account&apos;s setting applies; On or Off overrides it for this message (such a message is sent on its own, not in bulk).</source>
        <translation>{0}: la opción predeterminada de la cuenta no envía nada, así que se aplica la configuración de la cuenta de Paubox; Activado o Desactivado la reemplaza para este mensaje (ese mensaje se envía solo, no en bloque).</translation>
    </message>
</context>
<context>
    <name>UndoSend</name>
    <message>
        <source>Sending now.</source>
        <translation>Enviando ahora.</translation>
    </message>
</context>
<context>
    <name>UndoToast</name>
    <message>
        <source>Undo send</source>
        <translation>Deshacer envío</translation>
    </message>
    <message>
        <source>Undo send status</source>
        <translation>Estado de deshacer envío</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Deshacer</translation>
    </message>
    <message>
        <source>Send now</source>
        <translation>Enviar ahora</translation>
    </message>
    <message>
        <source>Sending to {0} in {1} s.</source>
        <translation>Enviando a {0} en {1} s.</translation>
    </message>
</context>
<context>
    <name>WritingTab</name>
    <message>
        <source>The footer (for example a confidentiality notice) is added to every message this profile sends, from the window and from the sealpost command, in both the formatted and the plain-text part.</source>
        <translation>El pie (por ejemplo, un aviso de confidencialidad) se añade a cada mensaje que envía este perfil, desde la ventana y desde el comando sealpost, tanto en la parte con formato como en la de texto sin formato.</translation>
    </message>
    <message>
        <source>Spelling language</source>
        <translation>Idioma de ortografía</translation>
    </message>
    <message>
        <source>Si&amp;gnature</source>
        <translation>&amp;Firma</translation>
    </message>
    <message>
        <source>Organisation &amp;footer</source>
        <translation>&amp;Pie de la organización</translation>
    </message>
    <message>
        <source>Spelling &amp;language</source>
        <translation>&amp;Idioma de ortografía</translation>
    </message>
</context>
<context>
    <name>audit_dialog</name>
    <message>
        <source>Not exported: {0}</source>
        <translation>No exportado: {0}</translation>
    </message>
</context>
<context>
    <name>autosave</name>
    <message>
        <source>Draft saved {0}.</source>
        <translation>Borrador guardado a las {0}.</translation>
    </message>
</context>
<context>
    <name>columns</name>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Quién</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Acción</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Detalle</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Nivel</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Origen</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Método</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Punto de acceso</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latencia</translation>
    </message>
    <message>
        <source>Attempt</source>
        <translation>Intento</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Detalles</translation>
    </message>
    <message>
        <source>Tracking id</source>
        <translation>Id. de seguimiento</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Para</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Asunto</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Intentos</translation>
    </message>
    <message>
        <source>Next try</source>
        <translation>Próximo intento</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Enviado</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>Entrega</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>Etiqueta</translation>
    </message>
</context>
<context>
    <name>compose</name>
    <message>
        <source>Send anyway</source>
        <translation>Enviar de todos modos</translation>
    </message>
    <message>
        <source>Not sent. Check the recipients, then send again.</source>
        <translation>No enviado. Revise los destinatarios y vuelva a enviar.</translation>
    </message>
    <message>
        <source>Queued. Follow it in the Outbox and Status views.</source>
        <translation>En cola. Sígalo en las vistas Bandeja de salida y Estado.</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Spell checking needs the Enchant library (Debian: libenchant-2-2); install it and restart Sealpost.</source>
        <translation>La revisión ortográfica necesita la biblioteca Enchant (Debian: libenchant-2-2); instálela y reinicie Sealpost.</translation>
    </message>
</context>
<context>
    <name>log_panel</name>
    <message>
        <source>p50 ms</source>
        <translation>p50 ms</translation>
    </message>
    <message>
        <source>p95 ms</source>
        <translation>p95 ms</translation>
    </message>
</context>
<context>
    <name>message_print</name>
    <message>
        <source>Print message</source>
        <translation>Imprimir mensaje</translation>
    </message>
    <message>
        <source>Sent to the printer.</source>
        <translation>Enviado a la impresora.</translation>
    </message>
    <message>
        <source>Saved as {0}.</source>
        <translation>Guardado como {0}.</translation>
    </message>
</context>
<context>
    <name>session</name>
    <message>
        <source>Switched to {0}.</source>
        <translation>Se cambió a {0}.</translation>
    </message>
</context>
<context>
    <name>settings</name>
    <message>
        <source>Managed by your organisation</source>
        <translation>Administrado por su organización</translation>
    </message>
    <message>
        <source>at least {0}</source>
        <translation>al menos {0}</translation>
    </message>
    <message>
        <source>at most {0}</source>
        <translation>como máximo {0}</translation>
    </message>
    <message>
        <source>Between {0} and {1}: set by your organisation</source>
        <translation>Entre {0} y {1}: fijado por su organización</translation>
    </message>
    <message>
        <source>{0}: set by your organisation</source>
        <translation>{0}: fijado por su organización</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Conexión</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Envío</translation>
    </message>
    <message>
        <source>Privacy</source>
        <translation>Privacidad</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Apariencia</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Modo</translation>
    </message>
    <message>
        <source>Sandbox: the built-in test server, nothing is delivered. Paubox: real delivery.</source>
        <translation>Entorno de pruebas: el servidor de prueba integrado, no se entrega nada. Paubox: entrega real.</translation>
    </message>
    <message>
        <source>Sandbox — built-in test server, nothing is delivered</source>
        <translation>Entorno de pruebas — servidor de prueba integrado, no se entrega nada</translation>
    </message>
    <message>
        <source>Paubox — real delivery</source>
        <translation>Paubox — entrega real</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Punto de acceso</translation>
    </message>
    <message>
        <source>Which generation of the Paubox API to talk to.</source>
        <translation>Con qué generación de la API de Paubox se comunica.</translation>
    </message>
    <message>
        <source>Legacy (api.paubox.net/v1/&lt;username&gt;)</source>
        <translation>Heredado (api.paubox.net/v1/&lt;usuario&gt;)</translation>
    </message>
    <message>
        <source>v1 (api.paubox.com/v1)</source>
        <translation>v1 (api.paubox.com/v1)</translation>
    </message>
    <message>
        <source>Current (api.paubox.com/v1/email)</source>
        <translation>Actual (api.paubox.com/v1/email)</translation>
    </message>
    <message>
        <source>Custom URL</source>
        <translation>URL personalizada</translation>
    </message>
    <message>
        <source>The base URL when the endpoint is Custom (https only).</source>
        <translation>La URL base cuando el punto de acceso es personalizado (solo https).</translation>
    </message>
    <message>
        <source>API username</source>
        <translation>Usuario de la API</translation>
    </message>
    <message>
        <source>Only for the legacy endpoint.</source>
        <translation>Solo para el punto de acceso heredado.</translation>
    </message>
    <message>
        <source>Auth style</source>
        <translation>Tipo de autenticación</translation>
    </message>
    <message>
        <source>How the key is sent.</source>
        <translation>Cómo se envía la clave.</translation>
    </message>
    <message>
        <source>Token token=KEY (works everywhere)</source>
        <translation>Token token=CLAVE (funciona en todas partes)</translation>
    </message>
    <message>
        <source>Bearer KEY (newest docs)</source>
        <translation>Bearer CLAVE (documentación más reciente)</translation>
    </message>
    <message>
        <source>Rate limit</source>
        <translation>Límite de solicitudes</translation>
    </message>
    <message>
        <source>Most API requests per second.</source>
        <translation>Máximo de solicitudes a la API por segundo.</translation>
    </message>
    <message>
        <source>requests/s</source>
        <translation>solicitudes/s</translation>
    </message>
    <message>
        <source>Polling budget</source>
        <translation>Límite de consultas</translation>
    </message>
    <message>
        <source>Most status polls per minute.</source>
        <translation>Máximo de consultas de estado por minuto.</translation>
    </message>
    <message>
        <source>polls/min</source>
        <translation>consultas/min</translation>
    </message>
    <message>
        <source>Sender address</source>
        <translation>Dirección del remitente</translation>
    </message>
    <message>
        <source>The From address of new messages.</source>
        <translation>La dirección De de los mensajes nuevos.</translation>
    </message>
    <message>
        <source>Undo-send window</source>
        <translation>Plazo para deshacer el envío</translation>
    </message>
    <message>
        <source>Seconds a sent message can still be taken back.</source>
        <translation>Segundos durante los que aún se puede recuperar un mensaje enviado.</translation>
    </message>
    <message>
        <source>s</source>
        <translation>s</translation>
    </message>
    <message>
        <source>Warn above</source>
        <translation>Avisar a partir de</translation>
    </message>
    <message>
        <source>Ask before sending to more recipients than this.</source>
        <translation>Preguntar antes de enviar a más destinatarios que estos.</translation>
    </message>
    <message>
        <source>recipients</source>
        <translation>destinatarios</translation>
    </message>
    <message>
        <source>Attachment limit (encoded)</source>
        <translation>Límite de adjuntos (codificados)</translation>
    </message>
    <message>
        <source>Largest total of attachments per message.</source>
        <translation>Tamaño total máximo de adjuntos por mensaje.</translation>
    </message>
    <message>
        <source>MB</source>
        <translation>MB</translation>
    </message>
    <message>
        <source>Force secure notification</source>
        <translation>Forzar notificación segura</translation>
    </message>
    <message>
        <source>New messages are picked up in Paubox&apos;s portal.</source>
        <translation>Los mensajes nuevos se recogen en el portal de Paubox.</translation>
    </message>
    <message>
        <source>Open tracking</source>
        <translation>Seguimiento de aperturas</translation>
    </message>
    <message>
        <source>Open tracking for new messages.</source>
        <translation>Seguimiento de aperturas para mensajes nuevos.</translation>
    </message>
    <message>
        <source>The Paubox account&apos;s setting</source>
        <translation>La configuración de la cuenta de Paubox</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Activado</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Desactivado</translation>
    </message>
    <message>
        <source>Link tracking</source>
        <translation>Seguimiento de enlaces</translation>
    </message>
    <message>
        <source>Link-click tracking for new messages.</source>
        <translation>Seguimiento de clics en enlaces para mensajes nuevos.</translation>
    </message>
    <message>
        <source>Organisation footer</source>
        <translation>Pie de la organización</translation>
    </message>
    <message>
        <source>HTML appended to every message sent (core/footer.py); empty: none.</source>
        <translation>HTML que se añade a cada mensaje enviado; vacío: ninguno.</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>Firma</translation>
    </message>
    <message>
        <source>HTML put into each new message in the composer (sanitised there).</source>
        <translation>HTML que se coloca en cada mensaje nuevo del redactor (depurado allí).</translation>
    </message>
    <message>
        <source>Spelling language</source>
        <translation>Idioma de ortografía</translation>
    </message>
    <message>
        <source>The spell checker&apos;s dictionary (ui/spelling.py).</source>
        <translation>El diccionario del corrector ortográfico.</translation>
    </message>
    <message>
        <source>English (United States)</source>
        <translation>English (United States)</translation>
    </message>
    <message>
        <source>Spanish</source>
        <translation>Español</translation>
    </message>
    <message>
        <source>Require verified recipients</source>
        <translation>Exigir destinatarios verificados</translation>
    </message>
    <message>
        <source>Send only to addresses verified in the address book.</source>
        <translation>Enviar solo a direcciones verificadas en la libreta de direcciones.</translation>
    </message>
    <message>
        <source>Guard rules file</source>
        <translation>Archivo de reglas de control</translation>
    </message>
    <message>
        <source>A file of pre-send guard rules (path); empty: the built-in guards.</source>
        <translation>Un archivo de reglas de control previas al envío (ruta); vacío: los controles integrados.</translation>
    </message>
    <message>
        <source>Keep history for</source>
        <translation>Conservar el historial durante</translation>
    </message>
    <message>
        <source>Days of history to keep; older messages are deleted.</source>
        <translation>Días de historial que se conservan; los mensajes más antiguos se eliminan.</translation>
    </message>
    <message>
        <source>days</source>
        <translation>días</translation>
    </message>
    <message>
        <source>Forever</source>
        <translation>Siempre</translation>
    </message>
    <message>
        <source>Auto-lock after</source>
        <translation>Bloqueo automático tras</translation>
    </message>
    <message>
        <source>Minutes without input before Sealpost locks itself.</source>
        <translation>Minutos sin actividad antes de que Sealpost se bloquee.</translation>
    </message>
    <message>
        <source>min</source>
        <translation>min</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>Nunca</translation>
    </message>
    <message>
        <source>Audit forwarding</source>
        <translation>Reenvío de auditoría</translation>
    </message>
    <message>
        <source>Syslog collector for audit events: tcp://host:port or tls://host:port; empty: off.</source>
        <translation>Recopilador syslog para los eventos de auditoría: tcp://host:puerto o tls://host:puerto; vacío: desactivado.</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Tema</translation>
    </message>
    <message>
        <source>Light, dark or as the system.</source>
        <translation>Claro, oscuro o como el sistema.</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>Igual que el sistema</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Oscuro</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>The window&apos;s language; it changes at the next start.</source>
        <translation>El idioma de la ventana; cambia en el próximo inicio.</translation>
    </message>
    <message>
        <source>English</source>
        <translation>English</translation>
    </message>
    <message>
        <source>Español</source>
        <translation>Español</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>Configuración guardada.</translation>
    </message>
</context>
<context>
    <name>settings_dialog</name>
    <message>
        <source>Added “{0}”. Select it and press Switch to use it.</source>
        <translation>Se agregó «{0}». Selecciónelo y pulse Cambiar para usarlo.</translation>
    </message>
    <message>
        <source>New passphrase ready: press Save to keep it.</source>
        <translation>Nueva frase de contraseña lista: pulse Guardar para conservarla.</translation>
    </message>
</context>
<context>
    <name>single_window</name>
    <message>
        <source>{0} A profile is open in one window at a time, so that every message is written, sent and tracked in one place.</source>
        <translation>{0} Un perfil se abre en una sola ventana a la vez, para que cada mensaje se escriba, envíe y siga en un solo lugar.</translation>
    </message>
    <message>
        <source>Show the open window</source>
        <translation>Mostrar la ventana abierta</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
</context>
<context>
    <name>states</name>
    <message>
        <source>Draft</source>
        <translation>Borrador</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>En cola</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Programado</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Enviando</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Enviado</translation>
    </message>
    <message>
        <source>Outcome unknown</source>
        <translation>Resultado desconocido</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallido</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelado</translation>
    </message>
    <message>
        <source>Waiting to retry</source>
        <translation>Esperando para reintentar</translation>
    </message>
    <message>
        <source>processing</source>
        <translation>en proceso</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>entregado</translation>
    </message>
    <message>
        <source>delivered via secure portal</source>
        <translation>entregado mediante el portal seguro</translation>
    </message>
    <message>
        <source>TLS not offered, sending via Secure Portal</source>
        <translation>TLS no ofrecido, enviando mediante el portal seguro</translation>
    </message>
    <message>
        <source>soft bounced</source>
        <translation>rebote temporal</translation>
    </message>
    <message>
        <source>soft bounced - mailbox full</source>
        <translation>rebote temporal - buzón lleno</translation>
    </message>
    <message>
        <source>hard bounced</source>
        <translation>rebote permanente</translation>
    </message>
    <message>
        <source>Internal error. Please check back later.</source>
        <translation>Error interno. Vuelva a consultar más tarde.</translation>
    </message>
    <message>
        <source>sent (marked by you)</source>
        <translation>enviado (marcado por usted)</translation>
    </message>
</context>
</TS>
