"""Xiaomi's 2021 statement to NCSC Lithuania: each testable sentence as a claim on a handset.

After NCSC Lithuania's report (September 2021) Xiaomi said, in a statement sent to Reuters and
the BBC: "Xiaomi's devices do not censor communications to or from its users. Xiaomi has never and
will never restrict or block any personal behaviors of our smartphone users, such as searching,
calling, web browsing or the use of third-party communication software. Xiaomi fully respects and
protects the legal rights of all users. Xiaomi complies with the European Union's General Data
Protection Regulation (GDPR)." Its account of the list (``MiAdBlacklistConfig``), that it manages
the ads shown in its own apps such as Mi Browser and Mi Video, is tested too (that sentence is
paraphrased: no primary text of it is bundled here). One test per testable sentence
(``test_claims.py``, the sentence in its ``claim`` marker; the functions in ``claims.py``):
searches, web browsing and third-party communication not restricted; ad management limited to
ads in the vendor's apps; personal data only after prior consent; transfers only to jurisdictions
with an adequacy decision (GDPR, Art. 45). What cannot be observed (calls: no dialer role) is
said in the details or reported inconclusive, never "holds".
"""

TITLE = "Xiaomi's 2021 statement to NCSC Lithuania: each testable sentence as a claim on a handset"
SOURCE = ("Xiaomi spokesperson's statement of 2021-09-22 in answer to NCSC Lithuania, as quoted by Reuters "
          "('Xiaomi says its devices do not censor users after Lithuania report', 2021-09-22) and the BBC "
          "('Lithuania tells public to throw away Chinese phones', 2021-09-22)")
