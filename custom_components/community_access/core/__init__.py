"""The pure-Python core of Community Access.

Nothing under this package imports Home Assistant: the rules of the
community (who may pass which door, when) and the storage live here and are
unit-tested on their own. The Home Assistant layer around it stays thin.
"""
