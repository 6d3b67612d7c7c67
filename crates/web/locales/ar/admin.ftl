# لوحة الإدارة (العربية).

admin-title = الإدارة
admin-audit-title = سجل التدقيق
admin-forbidden = دورك لا يسمح بهذا الإجراء.
admin-note = يدير المسؤولون النطاقات والحسابات والحصص وطابور البريد الصادر والحوادث؛ ويطّلع المدققون على سجل التدقيق وفحوص الثقة والإعدادات. لا يستطيع أحد هنا قراءة البريد: كل صندوق بريد لا يُفتح إلا بمفاتيح صاحبه.
admin-domains = النطاقات
admin-domain = النطاق
admin-accounts = الحسابات
admin-account = الحساب
admin-role = الدور
admin-quota = الحصة (بالبايت، 0 لعدم التقييد)
admin-certified = البريد المسجَّل
admin-yes = نعم
admin-no = لا
admin-create-title = إنشاء حساب
admin-address = العنوان
admin-initial-password = كلمة المرور الأولية
admin-create = إنشاء الحساب
admin-created = أُنشئ الحساب. سلِّم صاحبه رمز الاسترداد هذا، فهو لا يظهر إلا الآن، وهو السبيل الوحيد لإعادة تعيين كلمة المرور دون فقدان البريد:
admin-quota-title = تعيين حصة
admin-set-quota = تعيين الحصة
admin-quota-set = عُيِّنت الحصة.
admin-bad-quota = يجب أن تكون الحصة عددًا صحيحًا من البايتات.
admin-reauth-title = أكِّد هويتك
admin-reauth-note = تتطلب التغييرات الإدارية رمزًا من تطبيق المصادقة أُدخل خلال الدقائق الخمس الأخيرة.
admin-code = الرمز
admin-confirm = تأكيد
admin-bad-code = الرمز خاطئ أو منتهي الصلاحية أو مستخدم من قبل.
admin-view-audit = سجل التدقيق
admin-filter = تصفية
admin-actor = المنفِّذ
admin-action = الإجراء (أو بادئته، مثل auth)
admin-action-column = الإجراء
admin-target = الهدف
admin-limit = عدد القيود
admin-time = الوقت
admin-client = العميل
admin-details = التفاصيل
admin-chain-ok = سلسلة البصمات سليمة:
admin-chain-broken = سلسلة البصمات مكسورة:
admin-entries = { $plural ->
    [zero] لا قيود
    [one] قيد واحد
    [two] قيدان
    [few] { $count } قيود
    [many] { $count } قيدًا
   *[other] { $count } قيد
}
admin-back = العودة إلى الإدارة
admin-failed = تعذَّر ذلك:
admin-remove = إزالة
admin-domain-add-title = إضافة نطاق
admin-domain-add = إضافة النطاق (مع مفاتيح DKIM جديدة)
admin-domain-added = أُضيف النطاق مع مفاتيح DKIM الخاصة به. انشر سجلات DNS الخاصة به (sigillo dns records DOMAIN).
admin-domain-removed = أُزيل النطاق وأُتلفت مفاتيح DKIM الخاصة به.
admin-domain-has-accounts = لا يمكن إزالة هذا النطاق: ما زالت فيه حسابات ({ $count }). احذفها أولًا.
admin-queue = قائمة الانتظار الصادرة
admin-queue-id = الرسالة
admin-queue-sender = المرسل
admin-queue-recipients = المستلمون المنتظرون
admin-queue-next = المحاولة التالية
admin-queue-attempts = المحاولات
admin-queue-retry = أعد المحاولة الآن
admin-queue-delete = احذف (مع إشعار المرسل)
admin-queue-empty = قائمة الانتظار فارغة.
admin-queue-retried = ستُعاد محاولة إرسال الرسالة الآن.
admin-queue-missing = هذه الرسالة ليست في قائمة الانتظار (بعد الآن).
admin-queue-deleted = حُذفت الرسالة من قائمة الانتظار. لم يُرسل أي إشعار بالإخفاق.
admin-queue-deleted-notice = حُذفت الرسالة من قائمة الانتظار؛ وأُرسل إلى المرسل إشعار بالإخفاق.
admin-trust-title = فحوص الثقة
admin-check = الفحص
admin-verdict = الحالة
admin-fresh = حديث
admin-no-checks = لا توجد نتائج فحوص مسجّلة بعد (يشغّلها الأمر sigillo trust check).
admin-settings-title = الإعدادات
admin-settings-note = إعدادات الخادم الفعلية من sigillo.toml. لا تُعرض المفاتيح ولا كلمات المرور ولا ملفات المفاتيح أبدًا.
admin-settings-none = الإعدادات غير متاحة لهذه الصفحات.
admin-setting = الإعداد
admin-value = القيمة
admin-incidents = الحوادث
admin-incident-title = العنوان
admin-incident-severity = الخطورة
admin-incident-state = الحالة
admin-incident-message = رسالة لصفحة الحالة
admin-incident-update = انشر التحديث
admin-incident-resolve = أغلق الحادثة
admin-incident-open-title = فتح حادثة
admin-incident-components = المكوّنات المتأثرة
admin-incident-open = افتح الحادثة
admin-incident-saved = حُفظ؛ وتعرضه صفحة الحالة الآن.
