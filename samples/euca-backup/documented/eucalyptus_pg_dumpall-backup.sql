--
-- PostgreSQL database cluster dump
--

\restrict zRFejFKOon5wzclxHAmwG7JlhZH8mUOsgA4xCeGr9NcUCVM41CXaXMydkAPdSdx

SET default_transaction_read_only = off;

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

--
-- Drop databases (except postgres and template1)
--

DROP DATABASE database_events;
DROP DATABASE eucalyptus_shared;




--
-- Drop roles
--

DROP ROLE postgres;


--
-- Roles
--

CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;

--
-- User Configurations
--








\unrestrict zRFejFKOon5wzclxHAmwG7JlhZH8mUOsgA4xCeGr9NcUCVM41CXaXMydkAPdSdx

--
-- Databases
--

--
-- Database "template1" dump
--

--
-- PostgreSQL database dump
--

\restrict UNRUsxzFeRWqecdt0AFH9h3BU9eW03mWPinERj26M7swddrfVUvrfRrEa35xvmd

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

UPDATE pg_catalog.pg_database SET datistemplate = false WHERE datname = 'template1';
DROP DATABASE template1;
--
-- Name: template1; Type: DATABASE; Schema: -; Owner: postgres
--

CREATE DATABASE template1 WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';


ALTER DATABASE template1 OWNER TO postgres;

\unrestrict UNRUsxzFeRWqecdt0AFH9h3BU9eW03mWPinERj26M7swddrfVUvrfRrEa35xvmd
\connect template1
\restrict UNRUsxzFeRWqecdt0AFH9h3BU9eW03mWPinERj26M7swddrfVUvrfRrEa35xvmd

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: DATABASE template1; Type: COMMENT; Schema: -; Owner: postgres
--

COMMENT ON DATABASE template1 IS 'default template for new databases';


--
-- Name: template1; Type: DATABASE PROPERTIES; Schema: -; Owner: postgres
--

ALTER DATABASE template1 IS_TEMPLATE = true;


\unrestrict UNRUsxzFeRWqecdt0AFH9h3BU9eW03mWPinERj26M7swddrfVUvrfRrEa35xvmd
\connect template1
\restrict UNRUsxzFeRWqecdt0AFH9h3BU9eW03mWPinERj26M7swddrfVUvrfRrEa35xvmd

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: DATABASE template1; Type: ACL; Schema: -; Owner: postgres
--

REVOKE CONNECT,TEMPORARY ON DATABASE template1 FROM PUBLIC;
GRANT CONNECT ON DATABASE template1 TO PUBLIC;


--
-- PostgreSQL database dump complete
--

\unrestrict UNRUsxzFeRWqecdt0AFH9h3BU9eW03mWPinERj26M7swddrfVUvrfRrEa35xvmd

--
-- Database "database_events" dump
--

--
-- PostgreSQL database dump
--

\restrict hj9yT88vksZoGuGh9evAAVz6PSLcIuzp9zMnj8fgnJqKeCCZA25ERhTcQKtbndo

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: database_events; Type: DATABASE; Schema: -; Owner: postgres
--

CREATE DATABASE database_events WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';


ALTER DATABASE database_events OWNER TO postgres;

\unrestrict hj9yT88vksZoGuGh9evAAVz6PSLcIuzp9zMnj8fgnJqKeCCZA25ERhTcQKtbndo
\connect database_events
\restrict hj9yT88vksZoGuGh9evAAVz6PSLcIuzp9zMnj8fgnJqKeCCZA25ERhTcQKtbndo

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: event; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.event (
    id integer NOT NULL,
    t timestamp with time zone DEFAULT now(),
    m text
);


ALTER TABLE public.event OWNER TO postgres;

--
-- Name: event_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.event_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.event_id_seq OWNER TO postgres;

--
-- Name: event_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.event_id_seq OWNED BY public.event.id;


--
-- Name: event id; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.event ALTER COLUMN id SET DEFAULT nextval('public.event_id_seq'::regclass);


--
-- Data for Name: event; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.event (id, t, m) FROM stdin;
1	2026-12-01 17:40:36.198823+00	x
\.


--
-- Name: event_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres
--

SELECT pg_catalog.setval('public.event_id_seq', 1, true);


--
-- Name: event event_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.event
    ADD CONSTRAINT event_pkey PRIMARY KEY (id);


--
-- PostgreSQL database dump complete
--

\unrestrict hj9yT88vksZoGuGh9evAAVz6PSLcIuzp9zMnj8fgnJqKeCCZA25ERhTcQKtbndo

--
-- Database "eucalyptus_shared" dump
--

--
-- PostgreSQL database dump
--

\restrict FZv0H4LomZ4sVKPFD1EGjLH5yIS3HPFC1tRaNhyOQFL4GuvYd3dSXfdEFo83VKH

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: eucalyptus_shared; Type: DATABASE; Schema: -; Owner: postgres
--

CREATE DATABASE eucalyptus_shared WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';


ALTER DATABASE eucalyptus_shared OWNER TO postgres;

\unrestrict FZv0H4LomZ4sVKPFD1EGjLH5yIS3HPFC1tRaNhyOQFL4GuvYd3dSXfdEFo83VKH
\connect eucalyptus_shared
\restrict FZv0H4LomZ4sVKPFD1EGjLH5yIS3HPFC1tRaNhyOQFL4GuvYd3dSXfdEFo83VKH

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: eucalyptus_auth; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA eucalyptus_auth;


ALTER SCHEMA eucalyptus_auth OWNER TO postgres;

--
-- Name: eucalyptus_cloud; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA eucalyptus_cloud;


ALTER SCHEMA eucalyptus_cloud OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: auth_account; Type: TABLE; Schema: eucalyptus_auth; Owner: postgres
--

CREATE TABLE eucalyptus_auth.auth_account (
    id bigint NOT NULL,
    name text
);


ALTER TABLE eucalyptus_auth.auth_account OWNER TO postgres;

--
-- Name: metadata_vm_types; Type: TABLE; Schema: eucalyptus_cloud; Owner: postgres
--

CREATE TABLE eucalyptus_cloud.metadata_vm_types (
    id character varying(255) NOT NULL,
    name text,
    cpu integer
);


ALTER TABLE eucalyptus_cloud.metadata_vm_types OWNER TO postgres;

--
-- Data for Name: auth_account; Type: TABLE DATA; Schema: eucalyptus_auth; Owner: postgres
--

COPY eucalyptus_auth.auth_account (id, name) FROM stdin;
1	eucalyptus
\.


--
-- Data for Name: metadata_vm_types; Type: TABLE DATA; Schema: eucalyptus_cloud; Owner: postgres
--

COPY eucalyptus_cloud.metadata_vm_types (id, name, cpu) FROM stdin;
a	m1.small	1
b	m1.large	2
\.


--
-- Name: auth_account auth_account_pkey; Type: CONSTRAINT; Schema: eucalyptus_auth; Owner: postgres
--

ALTER TABLE ONLY eucalyptus_auth.auth_account
    ADD CONSTRAINT auth_account_pkey PRIMARY KEY (id);


--
-- Name: metadata_vm_types metadata_vm_types_pkey; Type: CONSTRAINT; Schema: eucalyptus_cloud; Owner: postgres
--

ALTER TABLE ONLY eucalyptus_cloud.metadata_vm_types
    ADD CONSTRAINT metadata_vm_types_pkey PRIMARY KEY (id);


--
-- PostgreSQL database dump complete
--

\unrestrict FZv0H4LomZ4sVKPFD1EGjLH5yIS3HPFC1tRaNhyOQFL4GuvYd3dSXfdEFo83VKH

--
-- Database "postgres" dump
--

--
-- PostgreSQL database dump
--

\restrict DSPov7hUCMSdD91Bf2jPD1pPJGUkiCschWDxik0GLNlXyvZvlNRZmOMsWJdnhF2

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

DROP DATABASE postgres;
--
-- Name: postgres; Type: DATABASE; Schema: -; Owner: postgres
--

CREATE DATABASE postgres WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';


ALTER DATABASE postgres OWNER TO postgres;

\unrestrict DSPov7hUCMSdD91Bf2jPD1pPJGUkiCschWDxik0GLNlXyvZvlNRZmOMsWJdnhF2
\connect postgres
\restrict DSPov7hUCMSdD91Bf2jPD1pPJGUkiCschWDxik0GLNlXyvZvlNRZmOMsWJdnhF2

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: DATABASE postgres; Type: COMMENT; Schema: -; Owner: postgres
--

COMMENT ON DATABASE postgres IS 'default administrative connection database';


--
-- PostgreSQL database dump complete
--

\unrestrict DSPov7hUCMSdD91Bf2jPD1pPJGUkiCschWDxik0GLNlXyvZvlNRZmOMsWJdnhF2

--
-- PostgreSQL database cluster dump complete
--

