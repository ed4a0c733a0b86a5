"""Operations and safety in Home Assistant: triggers, entities and services.

The thin layer over :mod:`..core.operations`: it watches HA entities (fire
panel inputs, door contacts, locks), drives the doors, and registers the
admin and guard services of each part.
"""
