# /verify، التحقق من أدلة البريد المسجَّل (العربية).

verify-title = التحقق من أدلة البريد المسجَّل
verify-nav = التحقق من الأدلة
verify-bundle = حزمة الأدلة ({ $file } من إيصال)
verify-message = الرسالة الأصلية ({ $ext }، اختياري): تُقارَن بصمتها
verify-tsa-ca = شهادة سلطة التصديق لجهة الختم الزمني التي تثق بها (PEM، اختياري؛ وإلا فالشهادة المضمَّنة في الحزمة)
verify-submit = تحقَّق
verify-nothing-stored = لا يُحفَظ شيء مما ترفعه. يمكن إجراء الفحوص نفسها دون اتصال بالأمر { $command }؛ ويمكن أيضًا التحقق من كل رمز { $token } بالأمر { $openssl }.
verify-need-multipart = أرسل النموذج بصيغة multipart/form-data.
verify-malformed = الملف المرفوع ليس جسم multipart/form-data سليم البنية.
verify-choose-bundle = اختر حزمة أدلة (evidence.json) للتحقق منها.
verify-bundle-unreadable = لم يثبت التحقق: { $reason }
verify-bad-ca = شهادة سلطة التصديق ليست شهادة PEM: { $error }
verify-verified = تم التحقق
verify-verified-detail = كل رمز وتوقيع وشهادة وبصمة وإثبات سليم.
verify-not-verified = لم يثبت التحقق
verify-failed-parts = أخفق: { $parts }
verify-col-result = النتيجة
verify-col-part = الجزء
verify-col-detail = التفاصيل
verify-holds = ✓ سليم
verify-fails = ✗ مُخفِق
verify-another = تحقَّق من حزمة أخرى
