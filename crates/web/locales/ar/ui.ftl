# صفحات مركز الثقة (العربية).

trust-title = مركز الثقة
nav-label = مركز الثقة
nav-controls = الضوابط
nav-status = الحالة
nav-json = JSON
nav-oscal = OSCAL
nav-languages = اللغة
footer = إطار الأمن السيبراني NIST CSF 2.0. كل حالة محسوبة من فحوص حية لهذا الخادم أو من إقرار مؤرَّخ.
unavailable = يتعذر على مركز الثقة قراءة سجلاته في الوقت الحالي.

summary-heading = الملخص
summary-text = { $plural ->
    [zero] لا توجد ضوابط.
    [one] المطبَّق { $implemented } من ضابط واحد ({ $percent } ٪)، وكل ضابط مطبَّق تدعمه فحوص حية.
    [two] المطبَّق { $implemented } من ضابطين ({ $percent } ٪)، وكل ضابط مطبَّق تدعمه فحوص حية.
    [few] المطبَّق { $implemented } من { $count } ضوابط ({ $percent } ٪)، وكل ضابط مطبَّق تدعمه فحوص حية.
    [many] المطبَّق { $implemented } من { $count } ضابطًا ({ $percent } ٪)، وكل ضابط مطبَّق تدعمه فحوص حية.
   *[other] المطبَّق { $implemented } من { $count } ضابط ({ $percent } ٪)، وكل ضابط مطبَّق تدعمه فحوص حية.
}
summary-planned = تعني «مخطَّط» أنه لا يوجد بعدُ أي فحص أو إقرار لهذا الضابط.
col-function = الوظيفة
col-implemented = المطبَّقة
col-controls = الضوابط
col-percent = ٪
col-control = الضابط
col-status = الحالة
col-statement = النص
col-checks = الفحوص
csf11-label = CSF 1.1:

status-implemented = مطبَّق
status-partial = جزئي
status-failing = غير ناجح
status-attested = مُقَرّ به
status-expired = منتهي الصلاحية
status-not-applicable = غير منطبق
status-planned = مخطَّط

verdict-pass = ناجح
verdict-fail = فاشل
verdict-not-checked = لم يُفحص

check-storage-encrypted-at-rest = كل قاعدة بيانات وملف انتظار وملف طابور في دليل البيانات مشفَّر، ولا يُفتح أي منها دون مفتاحه
check-transit-credentials-only-after-tls = لا تقبل أي خدمة استماع بيانات الاعتماد قبل TLS
check-transit-tls-versions-and-certificate = خدمات TLS لا تتحدث إلا TLS 1.2 أو 1.3، بشهادة صالحة لأكثر من 14 يومًا
check-identity-password-kdf = كلمات المرور تفتح المفاتيح عبر Argon2id بمستوى لا يقل عن الحد الأدنى الذي توصي به OWASP، لكل حساب
check-identity-mfa-coverage = العامل الثاني للمصادقة متاح، وكل حساب مسؤول ومدقق يستخدمه
check-logging-audit-chain = سجل التدقيق الإداري موجود وسلسلة التجزئة فيه سليمة
check-backup-restore-drill = النسخ الاحتياطية حديثة ومشفَّرة، وقد اجتازت أحدثها تجربة استعادة
check-inventory-software = جرد البرمجيات (كل تبعية مجمَّعة في هذا الملف التنفيذي) معروف
check-inventory-vulnerabilities = جرد البرمجيات يُفحص مقابل قاعدة بيانات للتنبيهات الأمنية
check-email-authentication = سجلات SPF وDMARC وMTA-STS المنشورة لكل نطاق محلي تطابق ما يتوقعه الخادم
check-supply-chain-subprocessors = كل معالج فرعي مُعلَن مع غرضه وموقعه

stale = قديم
control-title = الضابط { $id }
unknown-control-title = ضابط غير معروف
unknown-control = لا توجد فئة فرعية في CSF 2.0 بالمعرّف { $id }.
all-controls = كل الضوابط
na-heading = غير منطبق
attestation-heading = إقرار
attestation-by = { $owner }، { $date } (ينتهي في { $expires }).
attestation-document = المستند
checks-heading = الفحوص
no-checks = لا يغطي هذا الضابطَ أيُّ فحص آلي بعد.
last-run = آخر تشغيل: { $time }
never-ran = لم يُشغَّل قط
evidence-heading = الدليل كما سجّله الفحص (بالإنجليزية)

subprocessors-heading = المعالجون الفرعيون
subprocessors-intro = جهات خارجية تعالج البيانات لحساب هذا الخادم، كما هو مُعلَن في إعداداته.
subprocessors-none = لا يُعلن هذا الخادم عن أي معالج فرعي: لا أحد غيره يعالج بياناته.
col-name = الاسم
col-purpose = الغرض
col-location = الموقع
