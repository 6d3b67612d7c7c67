# تسجيل الدخول و/account (العربية).

## تسجيل الدخول
account-sign-in-title = تسجيل الدخول
account-address = عنوان البريد الإلكتروني
account-password = كلمة المرور
account-sign-in = تسجيل الدخول
account-fill-both = أدخل عنوانك وكلمة المرور.
account-bad-credentials = العنوان أو كلمة المرور غير صحيحة.
account-too-many = محاولات فاشلة كثيرة. حاول مرة أخرى لاحقًا.
account-locked-out = { $plural ->
    [zero] محاولات فاشلة كثيرة. حاول مرة أخرى الآن.
    [one] محاولات فاشلة كثيرة. حاول مرة أخرى بعد ثانية واحدة.
    [two] محاولات فاشلة كثيرة. حاول مرة أخرى بعد ثانيتين.
    [few] محاولات فاشلة كثيرة. حاول مرة أخرى بعد { $count } ثوانٍ.
    [many] محاولات فاشلة كثيرة. حاول مرة أخرى بعد { $count } ثانية.
   *[other] محاولات فاشلة كثيرة. حاول مرة أخرى بعد { $count } ثانية.
}
account-second-factor-title = العامل الثاني
account-second-factor-intro = أدخل الرمز المكوَّن من 6 أرقام من تطبيق المصادقة، أو أحد رموز الاسترداد الخاصة بك.
account-code = الرمز
account-verify = تحقَّق
account-bad-code = الرمز خاطئ أو منتهي الصلاحية أو مستخدم من قبل.
account-forbidden-title = غير مسموح
account-csrf-refused = هذا النموذج لم يصدر عن هذا الموقع أو انتهت صلاحيته. أعد تحميل الصفحة وحاول مرة أخرى.
account-unavailable-title = غير متاح مؤقتًا
account-unavailable = لا يستطيع الخادم تنفيذ ذلك الآن. حاول مرة أخرى بعد قليل.
account-back = العودة إلى حسابك
account-not-found = هذا العنصر غير موجود.

## /account
account-nav = حسابك
account-title = حسابك
account-signed-in-as = سجَّلت الدخول باسم
account-admin-link = الإدارة
account-sign-out = تسجيل الخروج

account-password-title = كلمة المرور
account-password-note = كلمة المرور تفتح صندوق بريدك المشفَّر. تغييرها يعيد تغليف مفتاح الصندوق فقط، ولا يُعاد تشفير أي رسالة. ويُسجَّل خروجك من جلسات الويب الأخرى.
account-current-password = كلمة المرور الحالية
account-new-password = كلمة المرور الجديدة (8 أحرف على الأقل)
account-confirm-password = أعد كتابة كلمة المرور الجديدة
account-change-password = تغيير كلمة المرور
account-passwords-differ = كلمتا المرور الجديدتان غير متطابقتين.
account-password-changed = تم تغيير كلمة المرور. استخدم الجديدة في برامج البريد التي لا تستخدم كلمة مرور تطبيق.
account-wrong-current-password = كلمة المرور الحالية غير صحيحة.

account-mfa-title = التحقق بخطوتين
account-mfa-on = التحقق بخطوتين مفعَّل (تطبيق مصادقة).
account-mfa-off = التحقق بخطوتين غير مفعَّل. فعِّله لحماية هذه الصفحة برمز من تطبيق مصادقة.
account-mfa-off-passkeys = رموز تطبيق المصادقة غير مفعَّلة؛ مفاتيح المرور الخاصة بك هي خطوتك الثانية. يمكنك أيضًا تفعيل الرموز كطريقة ثانية للدخول.
account-mfa-enable = تفعيل التحقق بخطوتين
account-mfa-disable = إيقاف التحقق بخطوتين
account-mfa-enrol-intro = أضف هذا المفتاح إلى تطبيق المصادقة (اكتب السر، أو افتح رابط otpauth على هاتفك)، ثم أدخل الرمز الذي يعرضه.
account-mfa-qr = رمز QR لمفتاح المصادقة
account-mfa-secret = السر:
account-mfa-uri = الرابط:
account-mfa-confirm = تأكيد وتفعيل
account-mfa-enabled = التحقق بخطوتين مفعَّل.
account-mfa-disabled = التحقق بخطوتين متوقف.
account-mfa-already-on = التحقق بخطوتين مفعَّل بالفعل. أوقفه أولًا لتسجيل تطبيق جديد.
account-recovery-note = رموز الاسترداد هذه لا تظهر إلا الآن. كل رمز يتيح لك تسجيل الدخول مرة واحدة إذا فقدت هاتفك. احفظها في مكان آمن.
account-recovery-left = { $plural ->
    [zero] لم يتبقَّ أي رمز استرداد.
    [one] تبقَّى رمز استرداد واحد.
    [two] تبقَّى رمزا استرداد.
    [few] تبقَّت { $count } رموز استرداد.
    [many] تبقَّى { $count } رمزًا للاسترداد.
   *[other] تبقَّى { $count } رمز استرداد.
}

account-apps-title = كلمات مرور التطبيقات
account-apps-note = تسجِّل برامج البريد (IMAP وPOP3 وSMTP) الدخول بكلمة مرور تطبيق لا تصلح إلا للبروتوكولات التي تختارها، ويمكن إلغاؤها وحدها.
account-label = التسمية
account-scopes = البروتوكولات
account-created = تاريخ الإنشاء
account-revoke = إلغاء
account-apps-create = إنشاء كلمة مرور تطبيق
account-apps-created = كلمة مرور تطبيق جديدة
account-apps-revoked = أُلغيت كلمة مرور التطبيق؛ لم تعد برامج البريد التي تستخدمها قادرة على تسجيل الدخول.
account-shown-once = لا تظهر إلا الآن: انسخها إلى برنامج البريد.

account-sessions-title = جلسات الويب
account-client = العميل
account-started = البداية
account-this-session = هذه الجلسة
account-session-revoked = سُجِّل الخروج من الجلسة.

## عنوان الاسترداد والتحقق منه بالبريد
account-recovery-title = عنوان الاسترداد
account-recovery-intro = عنوان خارج هذا الخادم يمكن التواصل معك عليه إذا فقدت الوصول إلى حسابك. لا يُعتمد إلا بعد أن تؤكده بالرابط الذي نرسله إليه.
account-recovery-none = لم يُعيَّن عنوان استرداد.
account-recovery-pending = العنوان { $address } بانتظار التأكيد: افتح الرابط الذي أرسلناه إليه (صالح لمدة 24 ساعة).
account-recovery-verified = العنوان { $address } مؤكَّد.
account-recovery-field = عنوان الاسترداد
account-recovery-save = حفظ وإرسال رابط التأكيد
account-recovery-sent = أرسلنا رابط تأكيد إلى { $address }. يعمل مرة واحدة فقط ولمدة 24 ساعة. لن يُعدّ العنوان مؤكَّدًا حتى تفتحه.
account-recovery-bad-address = هذا ليس عنوان بريد إلكتروني صالحًا.
account-recovery-own-address = اختر عنوانًا غير عنوان هذا الحساب نفسه.
account-recovery-rate-limited = أُرسلت رسائل تأكيد كثيرة خلال الساعة الأخيرة. حاول مرة أخرى لاحقًا.
account-recovery-confirm-title = تأكيد عنوان الاسترداد
account-recovery-confirm-intro = أكِّد أن { $address } هو عنوان الاسترداد لهذا الحساب.
account-recovery-confirm = تأكيد
account-recovery-confirmed = تم تأكيد عنوان الاسترداد { $address }.
account-recovery-token-invalid = رابط التأكيد هذا غير صالح: فقد استُخدم من قبل، أو حلَّ محله رابط أحدث، أو نُسخ ناقصًا. عيِّن العنوان من جديد للحصول على رابط جديد.
account-recovery-token-expired = انتهت صلاحية رابط التأكيد هذا. عيِّن العنوان من جديد للحصول على رابط جديد.
account-recovery-mail-subject = أكِّد عنوان الاسترداد الخاص بك
account-recovery-mail-intro = سجَّل أحدهم الدخول باسم { $account } على { $host } وأدخل هذا العنوان عنوانًا لاسترداد الحساب.
account-recovery-mail-action = لتأكيده، افتح هذا الرابط خلال 24 ساعة بعد تسجيل الدخول إلى ذلك الحساب:
account-recovery-mail-ignore = إن لم تكن أنت من فعل ذلك، فتجاهل هذه الرسالة: لن يُستخدم العنوان، ولا يمكن لأحد تسجيل الدخول بهذا الرابط.

## جلسات برامج البريد؛ كلمات مرور التطبيقات مع التحقق بخطوتين؛ جلسة مقفلة بعد إعادة التشغيل
account-mail-sessions-title = جلسات برامج البريد
account-mail-sessions-note = برامج البريد المتصلة الآن عبر IMAP أو POP3 أو SMTP. إنهاء الجلسة يفصل ذلك البرنامج فورًا؛ ولإبقائه خارجًا ألغِ أيضًا كلمة مرور التطبيق الخاصة به أو غيّر كلمة مرورك.
account-mail-sessions-none = لا يوجد برنامج بريد متصل.
account-protocol = البروتوكول
account-client-address = العنوان
account-client-app = البرنامج
account-last-activity = آخر نشاط
account-end-session = إنهاء الجلسة
account-mail-session-ended = أُنهيت الجلسة وفُصل البرنامج.
account-mail-session-ending = طُلب إنهاء الجلسة؛ سيُفصل البرنامج بعد لحظات.
account-mfa-mail-apps-note = عند تفعيل التحقق بخطوتين لا تقبل برامج البريد (IMAP وPOP3 وSMTP) كلمة مرور حسابك، لأنها لا تستطيع طلب رمز. أنشئ أدناه كلمة مرور تطبيق لكل برنامج بريد واستخدمها بدلًا منها.
account-locked-title = صندوق البريد مقفل
account-locked-note = أُعيد تشغيل الخادم منذ تسجيل دخولك. ما زلت مسجَّل الدخول، لكن مفتاح صندوق بريدك لم يعد في الذاكرة: أدخل كلمة مرورك لفتحه في هذه الجلسة. الإعدادات والجلسات تعمل بدونه؛ أما إنشاء كلمات مرور التطبيقات وتصدير البريد فيحتاجانه.
account-unlock = فتح القفل
account-unlocked = صندوق بريدك مفتوح في هذه الجلسة.

## تصدير البريد وحذف الحساب
account-data-title = بياناتك
account-export-title = تصدير بريدك
account-export-link = تنزيل بريدك كله (mbox)
account-export-note = نزّل كل رسالة من كل مجلد في ملف mbox واحد (صيغة mboxrd التي يستوردها Thunderbird وmutt ومعظم برامج البريد). لا يُفك تشفير بريدك إلا في ذاكرة الخادم أثناء إرساله إليك، ولا تُكتب أي نسخة مفكوكة التشفير على القرص. الملف نفسه غير مشفَّر: احفظه في مكان آمن.
account-export-submit = تنزيل mbox
account-delete-title = حذف حسابك
account-delete-link = حذف حسابك
account-delete-what = حذف الحساب يعني إتلافه تشفيريًا. أولًا تُتلف المفاتيح التي تفك تشفير صندوق بريدك: كلمة المرور ورمز الاسترداد وكلمات مرور التطبيقات والتحقق بخطوتين. ثم يُحذف ملف صندوق البريد وأي بريد ينتظرك، ويُسجَّل خروجك من كل مكان.
account-delete-irrecoverable = لا يمكن التراجع عن ذلك: بدون المفاتيح تصبح البيانات المشفرة على هذا الخادم غير مقروءة، لك وللمشرفين على السواء. أما النسخ الاحتياطية للخادم المأخوذة قبل الحذف فتبقى فيها صندوق بريدك المشفَّر ومفاتيحه، مقفلة بكلمة مرورك القديمة، إلى أن تزيلها سياسة الاحتفاظ بالنسخ الاحتياطية.
account-delete-audit-note = يحتفظ سجل الأمان بقيد يثبت حذف هذا الحساب وتاريخه.
account-delete-export-first = أتريد الاحتفاظ ببريدك؟ صدّره أولًا.
account-delete-confirm-label = اكتب عنوان بريدك الإلكتروني للتأكيد
account-delete-totp-label = الرمز من تطبيق المصادقة
account-delete-submit = احذف حسابي نهائيًا
account-delete-wrong-confirmation = العنوان الذي كتبته لا يطابق هذا الحساب. لم يُحذف شيء.
account-delete-wrong-password = كلمة المرور الحالية غير صحيحة. لم يُحذف شيء.
account-delete-wrong-code = الرمز غير صحيح أو منتهي الصلاحية أو مستخدم من قبل. لم يُحذف شيء.
account-delete-last-admin = أنت المشرف الوحيد على هذا الخادم، لذا لا يمكن حذف هذا الحساب. اجعل حسابًا آخر مشرفًا أولًا.
account-deleted-title = حُذف الحساب
account-deleted = حُذف حسابك: أُتلفت مفاتيحه أولًا ثم بريده. تم تسجيل خروجك.

## مفاتيح المرور (WebAuthn) خطوةً ثانية لتسجيل الدخول
account-passkeys-title = مفاتيح المرور
account-passkeys-note = يمكن لمفتاح المرور (المحفوظ على هذا الجهاز أو هاتفك أو مفتاح أمان) أن يكون الخطوة الثانية لتسجيل الدخول بدلًا من الرمز. ستُدخل كلمة المرور أولًا مع ذلك: فهي التي تفتح صندوق بريدك. احتفظ بطريقة ثانية للدخول، مثل مفتاح مرور ثانٍ أو تطبيق مصادقة مع رموز الاسترداد.
account-passkeys-none = لا توجد مفاتيح مرور مسجلة.
account-passkeys-unavailable = مفاتيح المرور غير متاحة على هذا الخادم: اسم المضيف الخاص به ليس اسم نطاق.
account-passkeys-need-js = تحتاج مفاتيح المرور إلى JavaScript، وهي معطلة أو محظورة في هذا المتصفح. كل ما عدا ذلك يعمل من دونها.
account-passkey-name = اسم مفتاح المرور الجديد
account-passkey-add = إضافة مفتاح مرور
account-passkey-remove = إزالة
account-passkey-last-used = آخر استخدام
account-passkey-name-invalid = أعطِ مفتاح المرور اسمًا من 1 إلى 64 حرفًا.
account-passkey-start-again = انتهت صلاحية طلب مفتاح المرور هذا أو تمت الإجابة عنه من قبل. يُرجى المحاولة مجددًا.
account-passkey-failed = تعذّر التحقق من مفتاح المرور. لم يتغير شيء.
account-passkey-exists = مفتاح المرور هذا مسجل بالفعل.
account-passkey-counter = رُفض مفتاح المرور هذا: أبلغ عن عدد استخدامات أقل من عدد سبق رؤيته، ما يعني أنه ربما نُسخ (أداة مصادقة مستنسخة). إن لم تكن تتوقع ذلك، فأزله وسجّل مفتاحًا جديدًا.
account-passkey-session = انتهت صلاحية جلستك. يُرجى تسجيل الدخول مجددًا.
account-passkey-working = بانتظار مفتاح المرور…
account-passkey-cancelled = أُلغي طلب مفتاح المرور أو انتهت مهلته أو أن هذا المتصفح لا يدعمه.
account-passkey-intro = أكّد هويتك باستخدام مفتاح المرور الخاص بك.
account-passkey-sign-in = استخدام مفتاح مرور
account-passkey-or-code = أو أدخل رمزًا من تطبيق المصادقة، أو رمز استرداد:
account-recovery-code-title = رمز الاسترداد
account-recovery-code-note = برمز الاسترداد يمكن تعيين كلمة مرور جديدة دون فقدان بريدك (يُجري المسؤول إعادة التعيين به). من أنشأ حسابك رأى رمزك الأول: أنشئ رمزًا جديدًا واحفظه في مكان آمن بعيدًا عن هذا الحاسوب. يتوقف الرمز القديم عن العمل فورًا.
account-recovery-code-make = أنشئ رمز استرداد جديدًا
account-recovery-code-new = رمز الاسترداد الجديد، يظهر الآن فقط. الرمز القديم لم يعد يعمل.
