"""Likely duplicate enterprises (疑似重复企业): the list, the merge form and the merge record."""
