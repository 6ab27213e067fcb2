"""NCSC Lithuania 2021: the findings on a Xiaomi Mi 10T 5G, reproduced on a handset.

One claim function per finding (``claims.py``; ``CLAIMS`` in the order they run), each a test in
``test_claims.py``: which system apps download the ``MiAdBlacklistConfig`` keyword list at first
start, from which host and country, its size and version; the diff between two downloads; whether
listed terms are filtered against control terms in search and ads; the EU region gate and the
server-side remote switch; personal data (device identifiers, decrypted by the ``crypto`` agent)
sent to a third country without consent; certificate pinning met and bypassed (``unpin``).
A claim *holds* when the handset does not do what NCSC reported; on the ``ncsc-2021`` virtual
world each is violated, on ``compliant`` each holds, and on ``list-not-enforced`` the list claims
are violated (the list is present) while the filtering claim holds (not enforced).
"""

TITLE = "NCSC Lithuania 2021: the findings on a Xiaomi Mi 10T 5G, reproduced on a handset"
SOURCE = ("National Cyber Security Centre of Lithuania (NKSC), 'Assessment of cybersecurity of mobile devices "
          "supporting 5G technology sold in Lithuania', 2021: "
          "https://www.nksc.lt/doc/en/analysis/2021-08-23_5G-CN-analysis_env3.pdf")
