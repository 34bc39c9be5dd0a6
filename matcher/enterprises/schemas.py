"""Enterprise shapes; contact fields are withheld unless the reader may see them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from matcher.api.fields import City, CreditCode, Email, Phone
from matcher.api.types import Name, Short, Text, UtcDatetime
from matcher.models import Enterprise


class ContactIn(BaseModel):
    contact_name: Short | None = None
    contact_phone: Phone | None = None
    email: Email | None = None
    credit_code: CreditCode | None = None


class EnterpriseUpdate(ContactIn):
    name: Name | None = None
    city: City | None = None
    county: Short | None = None
    industry: Short | None = None
    size: Short | None = None
    is_chain_leader: bool | None = None


class EnterpriseCreate(EnterpriseUpdate):
    name: Name
    external_id: Text(64, 1) | None = Field(default=None, description="generated when empty")


class Contact(BaseModel):
    contact_name: str | None = None
    contact_phone: str | None = None
    email: str | None = None
    credit_code: str | None = None

    @classmethod
    def of(cls, ent: Enterprise | None, *, show: bool) -> Contact | None:
        """The enterprise's contact details, or ``None`` when withheld from the reader."""
        if ent is None or not show:
            return None
        return cls(
            contact_name=ent.contact_name,
            contact_phone=ent.contact_phone,
            email=ent.email,
            credit_code=ent.credit_code,
        )


class EnterpriseOut(BaseModel):
    id: int
    external_id: str
    name: str
    city: str | None
    county: str | None
    industry: str | None
    size: str | None
    is_chain_leader: bool
    contact_visible: bool = Field(description="false: contact details withheld from this reader")
    contact: Contact | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @classmethod
    def of(cls, ent: Enterprise, *, show_contact: bool) -> EnterpriseOut:
        return cls(
            id=ent.id,
            external_id=ent.external_id,
            name=ent.name,
            city=ent.city,
            county=ent.county,
            industry=ent.industry,
            size=ent.size,
            is_chain_leader=ent.is_chain_leader,
            contact_visible=show_contact,
            contact=Contact.of(ent, show=show_contact),
            created_at=ent.created_at,
            updated_at=ent.updated_at,
        )
