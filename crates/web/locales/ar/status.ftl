# صفحة الحالة وموجز Atom (العربية).

status-title = حالة النظام
status-overall-ok = كل المكوّنات تعمل.
status-overall-degraded = بعض المكوّنات لا تعمل.
status-overall-unknown = لم يُجرَ أي فحص بعد.
status-overall-incident = يوجد حادث قيد المعالجة: انظر أدناه.
status-checked-at = آخر فحص: { $time }
components-heading = المكوّنات
col-component = المكوّن
col-health = السلامة
col-uptime = مدة التشغيل (90 يومًا)
health-up = يعمل
health-down = متوقف
health-unknown = لا توجد بيانات
health-not-configured = غير مُعَدّ

component-smtp = البريد الوارد (SMTP)
component-submission = إرسال البريد
component-imap = IMAP
component-pop3 = POP3
component-web = الويب (HTTPS)
component-queue = طابور البريد الصادر
component-storage = التخزين
component-tsa = سلطة الختم الزمني

uptime-summary = نسبة التشغيل { $percent } ٪ في الأيام التي أُجريت فيها فحوص ({ $days } من آخر 90 يومًا)
uptime-no-data = لم يُسجَّل أي فحص بعد.
uptime-day = { $date }: { $percent } ٪ ({ $up } من { $total } فحوص ناجحة)
uptime-day-none = { $date }: لا توجد بيانات
bars-label = نسبة التشغيل اليومية لـ { $component }، من الأقدم إلى الأحدث

incidents-heading = الحوادث
incidents-none = لم يُبلَّغ عن أي حادث.
incident-opened = فُتح في { $time }
incident-resolved-at = حُلّ في { $time }
incident-affects = المكوّنات المتأثرة:
incident-timeline = التسلسل الزمني
incident-open-on = حادث مفتوح: { $title }
severity-minor = طفيف
severity-major = كبير
severity-critical = حرج
severity-maintenance = صيانة
incident-state-investigating = قيد التحقيق
incident-state-identified = تم تحديد السبب
incident-state-monitoring = قيد المراقبة
incident-state-resolved = تم الحل

feed-link = تابع الحوادث وتحديثاتها (موجز Atom)
feed-title = حالة { $host }
feed-entry-title = { $title }: { $state }
feed-author = Sigillo على { $host }
