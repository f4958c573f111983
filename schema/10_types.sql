-- Enumerations and domains shared by the schema.
CREATE TYPE gender AS ENUM ('female', 'male', 'mixed');
CREATE TYPE event_status AS ENUM ('draft', 'scheduled', 'running', 'finished', 'cancelled');
CREATE TYPE entry_status AS ENUM ('pending', 'confirmed', 'withdrawn', 'disqualified');

CREATE DOMAIN country_code AS char(2) CHECK (VALUE ~ '^[A-Z]{2}$');
CREATE DOMAIN slug AS text CHECK (VALUE ~ '^[a-z0-9]+(-[a-z0-9]+)*$');
