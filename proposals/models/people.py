"""Organisations (introducer firms) and their people, each with one role."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    BROKER = "broker", "Broker"
    STAFF = "staff", "Staff"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="users")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.BROKER)

    REQUIRED_FIELDS = ["email", "organisation", "role"]

    @property
    def is_broker(self) -> bool:
        return self.role == Role.BROKER

    @property
    def is_staff_member(self) -> bool:
        """Staff *or* admin: both answer for the whole organisation's proposals."""
        return self.role in (Role.STAFF, Role.ADMIN)

    @property
    def is_portal_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __str__(self):
        return self.get_full_name() or self.username
