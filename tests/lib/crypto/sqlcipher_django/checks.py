"""Django test cases run by Django's own test runner against the keyed (in-memory) test database."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import connection
from django.test import TestCase, TransactionTestCase


class KeyedTestDatabase(TestCase):
    def test_the_test_database_is_in_memory_and_opened_through_sqlcipher(self) -> None:
        self.assertTrue(connection.is_in_memory_db())
        self.assertEqual(connection.display_name, "SQLCipher")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cipher_version")
            self.assertTrue(cursor.fetchone()[0])
            cursor.execute("PRAGMA cipher_memory_security")
            self.assertEqual(str(cursor.fetchone()[0]), "0")  # off unless the OPTIONS ask for it

    def test_the_orm_writes_and_reads_back(self) -> None:
        User.objects.create(username="Алесь", first_name="Бяляцкі")
        self.assertEqual(User.objects.get(username="Алесь").first_name, "Бяляцкі")

    def test_each_test_is_rolled_back(self) -> None:
        # Would fail with a unique-constraint error if the previous test's row survived.
        User.objects.create(username="Алесь")
        self.assertEqual(User.objects.count(), 1)


class KeyedTransactions(TransactionTestCase):
    def test_savepoints_roll_back(self) -> None:
        from django.db import IntegrityError, transaction

        User.objects.create(username="a")
        with self.assertRaises(IntegrityError), transaction.atomic():
            User.objects.create(username="a")
        self.assertEqual(User.objects.count(), 1)
