"""Operations on a whole deployment: backup and restore, the storage sweep, retention.

Like the command line, this package may import every domain (it must know each table
that refers to a blob, and check the restored audit log, publication log and signatures).
"""
